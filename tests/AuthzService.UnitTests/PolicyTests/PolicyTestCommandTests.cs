using Qbee.Authz.Service.PolicyTests;

namespace Qbee.Authz.Service.UnitTests.PolicyTests;

/// <summary>The runner's exit codes and report: each failing assertion with file:line, expected, actual and Check's explain text.</summary>
public sealed class PolicyTestCommandTests
{
    [Fact]
    public void Run_AllAssertionsHold_ExitsZeroWithSummary()
    {
        var (exit, output, error) = PolicyFiles.Run(PolicyFiles.WithAssertions("bob remote-access:connect d1 console -> GRANTED", "bob device:manage d1 -> PERMISSION_NOT_GRANTED"));

        Assert.Equal(PolicyTestCommand.Passed, exit);
        Assert.Empty(error);
        Assert.Contains("file0.yaml: 2 assertions", output, StringComparison.Ordinal);
        Assert.EndsWith("policy tests: 1 files (0 invalid), 2 assertions, 2 passed, 0 failed" + Environment.NewLine, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_FailingAssertion_ReportsFileLineExpectedActualAndExplainText()
    {
        var text = PolicyFiles.WithAssertions("bob remote-access:connect d1 console -> GRANTED", "bob remote-access:connect d1 tunnel tcp:80@localhost -> GRANTED");
        var line = Array.IndexOf(text.Split('\n'), "  - bob remote-access:connect d1 tunnel tcp:80@localhost -> GRANTED") + 1;

        var (exit, output, _) = PolicyFiles.Run(text);

        Assert.Equal(PolicyTestCommand.Failed, exit);
        Assert.Contains($"file0.yaml:{line}: FAIL bob remote-access:connect d1 tunnel tcp:80@localhost -> GRANTED", output, StringComparison.Ordinal);
        Assert.Contains("expected GRANTED, got ACTION_NOT_GRANTED", output, StringComparison.Ordinal);
        Assert.Contains($"device d1 = {DeviceNames.IdFor("d1")}", output, StringComparison.Ordinal);

        // Check's message with explain: the reason's sentence, then the evaluator's path.
        Assert.Contains("Denied: the grants that cover this device do not allow this action or its parameters. User bob (account acme, revision 1, roles: ops).", output, StringComparison.Ordinal);
        Assert.Contains("resource 'tag:prod/tunnel(proto=tcp;port=22;dst=localhost)'", output, StringComparison.Ordinal);
        Assert.DoesNotContain(":" + (line - 1) + ": FAIL", output, StringComparison.Ordinal);
        Assert.EndsWith("policy tests: 1 files (0 invalid), 2 assertions, 1 passed, 1 failed" + Environment.NewLine, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnexpectedGrant_ReportsTheGrantingRoleAndResource()
    {
        var (exit, output, _) = PolicyFiles.Run(PolicyFiles.WithAssertions("bob remote-access:connect d1 console -> denied"));

        Assert.Equal(PolicyTestCommand.Failed, exit);
        Assert.Contains("expected denied, got GRANTED by role ops resource 'tag:prod/console'", output, StringComparison.Ordinal);
        Assert.Contains("Allowed.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InvalidFile_ExitsTwoNamingFileLineAndField()
    {
        var text = PolicyFiles.WithAssertions("bob device:read d1 -> GRANTED").Replace("- tag:prod/console", "- tag:prod/console(x=1)", StringComparison.Ordinal);

        var (exit, output, error) = PolicyFiles.Run(text);

        Assert.Equal(PolicyTestCommand.Invalid, exit);
        Assert.Matches(@"file0\.yaml:9: roles\[0\]\.policies\[1\]\.resources\[0\]: .+", error);
        Assert.Contains("policy tests: 1 files (1 invalid), 0 assertions", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InvalidFileBesideAFailingOne_ExitsTwoAndStillRunsTheOther()
    {
        var (exit, output, error) = PolicyFiles.Run(PolicyFiles.WithAssertions("bob device:manage d1 -> GRANTED"), "account: [");

        Assert.Equal(PolicyTestCommand.Invalid, exit);
        Assert.Contains("file1.yaml:", error, StringComparison.Ordinal);
        Assert.Contains("expected GRANTED, got PERMISSION_NOT_GRANTED", output, StringComparison.Ordinal);
        Assert.Contains("policy tests: 2 files (1 invalid), 1 assertions, 0 passed, 1 failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MissingFile_ExitsTwoNamingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.yaml");
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = PolicyTestCommand.Run([path], output, error);

        Assert.Equal(PolicyTestCommand.Invalid, exit);
        Assert.StartsWith($"{path}: cannot be read:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NoFilesOrAnEmptyDirectory_ExitsTwo()
    {
        var empty = Directory.CreateTempSubdirectory("policy-tests-empty-");
        try
        {
            var error = new StringWriter();
            Assert.Equal(PolicyTestCommand.Invalid, PolicyTestCommand.Run([], TextWriter.Null, error));
            Assert.Contains("no test files given", error.ToString(), StringComparison.Ordinal);

            error = new StringWriter();
            Assert.Equal(PolicyTestCommand.Invalid, PolicyTestCommand.Run([empty.FullName], TextWriter.Null, error));
            Assert.Contains("holds no .yaml or .yml file", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete();
        }
    }
}
