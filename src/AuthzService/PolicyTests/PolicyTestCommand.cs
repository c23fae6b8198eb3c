namespace Qbee.Authz.Service.PolicyTests;

/// <summary>
/// <c>test FILE...</c>: runs policy test files offline (no server, no store) with the real parser and evaluator.
/// CONTRACT STUB for issue 17: the policy-tests helper replaces the body; the CLI calls this signature.
/// </summary>
internal static class PolicyTestCommand
{
    /// <returns>The exit code: 0 when every assertion holds, 1 when one fails, 2 on a file that cannot be read.</returns>
    public static int Run(IReadOnlyList<string> files, TextWriter output, TextWriter error) =>
        throw new NotImplementedException("policy tests: issue 17 contract stub");
}
