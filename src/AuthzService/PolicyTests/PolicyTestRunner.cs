using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.PolicyTests;

/// <summary>
/// Runs a file's assertions offline: its rows compiled by <see cref="SnapshotCompiler"/>, each check answered by
/// <see cref="CheckEngine.Answer"/> (the evaluation and explain text of Check), with no server and no store. A '*'
/// asks the check of every device (as ListAllowedDevices does) or every user of the file.
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
            if (assertion.Subject == AssertionSubject.One)
            {
                var actual = Answer(snapshot, assertion.Check);
                results[i] = new AssertionResult(assertion, actual, assertion.Expected.IsMetBy(actual));
            }
            else
            {
                results[i] = RunSet(snapshot, file, assertion);
            }
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

    /// <summary>Every device (or user) asked; the answers of those allowed or denied against the list are kept for the report.</summary>
    private static AssertionResult RunSet(AccountSnapshot snapshot, PolicyTestFile file, PolicyAssertion assertion)
    {
        var answers = assertion.Subject == AssertionSubject.Devices
            ? snapshot.DevicesInOrder.Select(node => snapshot.NodeIds[node]!)
                .Select(id => (Name: file.Devices.NameOf(id), Answer: Answer(snapshot, assertion.Check with { DeviceId = id })))
            : file.Data.Users.Select(u => u.UserId)
                .Select(id => (Name: id, Answer: Answer(snapshot, assertion.Check with { UserId = id })));
        answers = answers.ToList(); // read twice below: each check once
        var expected = assertion.Members!.ToHashSet(StringComparer.Ordinal);
        var allowed = new List<string>();
        var wrong = new List<(string Name, CheckResult Answer)>();
        foreach (var (name, answer) in answers)
        {
            if (answer.Allowed)
            {
                allowed.Add(name);
            }

            if (answer.Allowed != expected.Contains(name))
            {
                wrong.Add((name, answer));
            }
        }

        // A listed name the file does not have (a user id) is missing too; it has no answer to show.
        var missing = expected.Except(answers.Select(a => a.Name), StringComparer.Ordinal).ToList();
        allowed.Sort(StringComparer.Ordinal);
        return new AssertionResult(assertion, default, wrong.Count == 0 && missing.Count == 0, allowed, wrong, missing);
    }
}

/// <summary>An assertion and what the evaluator answered.</summary>
/// <param name="Actual">The answer to a single check; default for a '*'.</param>
/// <param name="Allowed">For a '*': the names allowed, sorted.</param>
/// <param name="Wrong">For a '*': the names whose answer differs from the list, with that answer.</param>
/// <param name="Unknown">For a '*': listed names the file does not have.</param>
internal sealed record AssertionResult(
    PolicyAssertion Assertion,
    CheckResult Actual,
    bool Passed,
    IReadOnlyList<string>? Allowed = null,
    IReadOnlyList<(string Name, CheckResult Answer)>? Wrong = null,
    IReadOnlyList<string>? Unknown = null);
