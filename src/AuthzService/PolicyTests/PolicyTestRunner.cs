using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.PolicyTests;

/// <summary>
/// Runs a file's assertions offline: its rows compiled by <see cref="SnapshotCompiler"/>, each check answered by
/// <see cref="CheckEngine.Answer"/> (the evaluation and explain text of Check), with no server and no store.
/// </summary>
internal static class PolicyTestRunner
{
    public static IReadOnlyList<AssertionResult> Run(PolicyTestFile file)
    {
        var snapshot = SnapshotCompiler.Compile(file.Data, DateTimeOffset.UnixEpoch);
        var results = new AssertionResult[file.Assertions.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var assertion = file.Assertions[i];
            var actual = Answer(snapshot, assertion.Check);
            results[i] = new AssertionResult(assertion, actual, assertion.Expected.IsMetBy(actual));
        }

        return results;
    }

    /// <summary>The check as Check answers it with explain, the file's account being the only one there is.</summary>
    public static CheckResult Answer(AccountSnapshot snapshot, in PreparedCheck check)
    {
        // As UserResolver finds it: a user no account has gets no snapshot.
        var user = snapshot.Users.GetValueOrDefault(check.UserId);
        return CheckEngine.Answer(user is null ? null : snapshot, user, check);
    }
}

/// <summary>An assertion and what the evaluator answered.</summary>
internal sealed record AssertionResult(PolicyAssertion Assertion, CheckResult Actual, bool Passed);
