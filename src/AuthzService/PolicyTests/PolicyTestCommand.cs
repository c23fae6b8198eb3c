namespace Qbee.Authz.Service.PolicyTests;

/// <summary>
/// <c>test FILE...</c>: runs policy test files offline (no server, no store) with the real parser and evaluator.
/// A directory stands for the *.yaml and *.yml files in it. Prints each failing assertion (file:line, expected,
/// actual, the explain text Check gives), then one summary line.
/// </summary>
internal static class PolicyTestCommand
{
    public const int Passed = 0;
    public const int Failed = 1;
    public const int Invalid = 2;

    /// <returns>The exit code: 0 when every assertion holds, 1 when one fails, 2 on a file that cannot be read.</returns>
    public static int Run(IReadOnlyList<string> files, TextWriter output, TextWriter error)
    {
        var paths = Expand(files, error, out var exit);
        if (paths.Count == 0 && exit == Passed)
        {
            error.WriteLine("policy tests: no test files given (name .yaml files or a directory holding them)");
            return Invalid;
        }

        int assertions = 0, failures = 0, invalid = 0;
        foreach (var path in paths)
        {
            PolicyTestFile file;
            try
            {
                using var reader = File.OpenText(path);
                file = PolicyFileLoader.Load(path, reader);
            }
            catch (PolicyFileException e)
            {
                error.WriteLine($"{path}:{e.Line}: {(e.Field.Length > 0 ? e.Field + ": " : string.Empty)}{e.Reason}");
                invalid++;
                continue;
            }
            catch (IOException e)
            {
                error.WriteLine($"{path}: cannot be read: {e.Message}");
                invalid++;
                continue;
            }
            catch (UnauthorizedAccessException e)
            {
                error.WriteLine($"{path}: cannot be read: {e.Message}");
                invalid++;
                continue;
            }

            var results = PolicyTestRunner.Run(file);
            assertions += results.Count;
            var failed = 0;
            foreach (var result in results.Where(r => !r.Passed))
            {
                failed++;
                Report(path, result, file.Devices, output);
            }

            failures += failed;
            output.WriteLine(failed == 0
                ? $"ok   {path}: {results.Count} assertions"
                : $"FAIL {path}: {failed} of {results.Count} assertions failed");
        }

        var filesRun = paths.Count - invalid;
        output.WriteLine($"policy tests: {paths.Count} files ({invalid} invalid), {assertions} assertions, {assertions - failures} passed, {failures} failed");
        return invalid > 0 || exit == Invalid ? Invalid : failures > 0 ? Failed : filesRun > 0 ? Passed : Invalid;
    }

    private static void Report(string path, AssertionResult result, DeviceNames devices, TextWriter output)
    {
        output.WriteLine($"{path}:{result.Assertion.Line}: FAIL {result.Assertion.Text}");
        if (result.Allowed is { } allowed)
        {
            output.WriteLine($"    expected [{string.Join(", ", result.Assertion.Members!)}], got [{string.Join(", ", allowed)}]");
            foreach (var (name, answer) in result.Wrong!)
            {
                output.WriteLine($"    {name}: {(answer.Allowed ? "allowed, not listed" : "listed, " + ExpectedOutcome.NameOf(answer.Reason))}: {answer.Message}");
            }

            foreach (var name in result.Unknown!)
            {
                output.WriteLine($"    {name}: listed, but not in the file");
            }

            return;
        }

        var actual = result.Actual;
        var grant = actual.Allowed && actual.Decision.Grant is { } granted ? $" by role {granted.RoleId} resource '{granted.Resource}'" : string.Empty;
        var restricted = actual.Allowed && actual.Restricted ? " restricted" : string.Empty;
        output.WriteLine($"    expected {result.Assertion.Expected}, got {ExpectedOutcome.NameOf(actual.Reason)}{restricted}{grant}");
        if (result.Assertion.Check.DeviceId.Length > 0)
        {
            output.WriteLine($"    device {devices.NameOf(result.Assertion.Check.DeviceId)} = {result.Assertion.Check.DeviceId}");
        }

        output.WriteLine($"    {actual.Message}");
    }

    /// <summary>Files as named, directories as their *.yaml and *.yml files (sorted, so reports are stable).</summary>
    private static List<string> Expand(IReadOnlyList<string> names, TextWriter error, out int exit)
    {
        exit = Passed;
        var paths = new List<string>();
        foreach (var name in names)
        {
            if (Directory.Exists(name))
            {
                var found = Directory.EnumerateFiles(name, "*.yaml").Concat(Directory.EnumerateFiles(name, "*.yml")).Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0)
                {
                    error.WriteLine($"{name}: holds no .yaml or .yml file");
                    exit = Invalid;
                }

                paths.AddRange(found);
            }
            else
            {
                paths.Add(name);
            }
        }

        return paths;
    }
}
