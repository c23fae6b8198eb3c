using Qbee.Authz.Service.PolicyTests;
using Qbee.Authz.Service.UnitTests.Architecture;

namespace Qbee.Authz.Service.UnitTests.PolicyTests;

/// <summary>The samples under samples/policy-tests are the format's showcase: every CI run runs them, and they pass.</summary>
public sealed class SamplePolicyTestsTests
{
    [Fact]
    public void Run_SamplesDirectory_ExitsZeroWithEveryAssertionPassed()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = PolicyTestCommand.Run([RepositoryFiles.PathOf("samples", "policy-tests")], output, error);

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        Assert.Empty(error.ToString());
        Assert.Matches(@"policy tests: \d+ files \(0 invalid\), [1-9]\d* assertions, [1-9]\d* passed, 0 failed", output.ToString());
    }
}
