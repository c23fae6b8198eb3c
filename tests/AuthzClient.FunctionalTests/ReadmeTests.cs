namespace Qbee.Authz.Client.FunctionalTests;

/// <summary>The README's three lines stand verbatim in the sample that <see cref="ApiServiceTests"/> runs.</summary>
public sealed class ReadmeTests
{
    [Fact]
    public void ClientLibrarySection_EveryCodeLine_IsInTheSample()
    {
        var root = FindRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var sample = File.ReadAllText(Path.Combine(root, "samples", "ApiService", "Program.cs"));
        var section = readme[readme.IndexOf("## Client library", StringComparison.Ordinal)..];
        var start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var lines = section[start..section.IndexOf("```", start, StringComparison.Ordinal)].Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(3, lines.Length);
        foreach (var line in lines)
        {
            var code = line.Split("//")[0].Replace(" ...);", string.Empty).Trim();
            Assert.Contains(code, sample);
        }
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Qbee.Authz.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Qbee.Authz.sln not found above the test's folder.");
    }
}
