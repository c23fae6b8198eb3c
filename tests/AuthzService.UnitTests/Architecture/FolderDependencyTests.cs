using System.Text.RegularExpressions;

namespace Qbee.Authz.Service.UnitTests.Architecture;

/// <summary>
/// The folders of src/AuthzService depend one way (Grpc -> Admin/Checks -> Snapshots -> Domain, Storage -> Domain,
/// Hosting over all), read from each file's <c>using Qbee.Authz.Service.X</c> lines and fully qualified names.
/// </summary>
public sealed partial class FolderDependencyTests
{
    /// <summary>
    /// Imports that close a cycle today and are being removed elsewhere; each entry names its owner. Keep it tiny,
    /// and empty it once the owner's branch is merged.
    /// </summary>
    private static readonly HashSet<(string From, string To)> KnownCycleEdges = [];

    private static readonly Dictionary<string, HashSet<string>> Imports = ReadImports();

    [Fact]
    public void Imports_AreReadFromTheSources()
    {
        Assert.Contains("Domain", Imports["Storage"]);
        Assert.Contains("Checks", Imports["Grpc"]);
    }

    [Fact]
    public void Folders_ImportEachOther_Never()
    {
        var pairs = Imports
            .SelectMany(f => f.Value.Select(to => (From: f.Key, To: to)))
            .Where(e => string.CompareOrdinal(e.From, e.To) < 0 && Imports.GetValueOrDefault(e.To)?.Contains(e.From) == true)
            .Where(e => !KnownCycleEdges.Contains(e) && !KnownCycleEdges.Contains((e.To, e.From)))
            .Select(e => $"{e.From} <-> {e.To}");

        Assert.Empty(pairs);
    }

    [Fact]
    public void Folders_Imports_FormNoCycle()
    {
        var cycles = new List<string>();
        foreach (var start in Imports.Keys)
        {
            FindCycles(start, [start], cycles);
        }

        Assert.Empty(cycles);
    }

    [Fact]
    public void Hosting_IsImported_OnlyByProgram()
    {
        var importers = Imports.Where(f => f.Key != "Hosting" && f.Key != "Program.cs" && f.Value.Contains("Hosting")).Select(f => f.Key);

        Assert.Empty(importers);
    }

    /// <summary>PolicyTests sits on top, beside Hosting: the CLI calls it, no folder of the service does.</summary>
    [Fact]
    public void PolicyTests_IsImported_ByNoOtherFolder()
    {
        var importers = Imports.Where(f => f.Key != "PolicyTests" && f.Value.Contains("PolicyTests")).Select(f => f.Key);

        Assert.Contains("Grpc", Imports["PolicyTests"]);
        Assert.Empty(importers);
    }

    /// <summary>HttpJson (transcoding, OpenAPI, listeners) is wiring: only the composition root calls it.</summary>
    [Fact]
    public void HttpJson_IsImported_OnlyByHosting()
    {
        var importers = Imports.Where(f => f.Key != "HttpJson" && f.Value.Contains("HttpJson")).Select(f => f.Key);

        Assert.Equal(["Hosting"], importers);
    }

    private static void FindCycles(string folder, List<string> path, List<string> cycles)
    {
        foreach (var next in Imports.GetValueOrDefault(folder) ?? [])
        {
            if (KnownCycleEdges.Contains((folder, next)))
            {
                continue;
            }

            if (next == path[0])
            {
                cycles.Add(string.Join(" -> ", path.Append(next)));
            }
            else if (!path.Contains(next) && string.CompareOrdinal(next, path[0]) > 0)
            {
                FindCycles(next, [.. path, next], cycles);
            }
        }
    }

    /// <summary>Folder (or Program.cs) -> the other folders its files name.</summary>
    private static Dictionary<string, HashSet<string>> ReadImports()
    {
        var root = RepositoryFiles.PathOf("src", "AuthzService");
        var imports = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar);
            if (relative[0] is "bin" or "obj")
            {
                continue;
            }

            var folder = relative[0];
            var named = imports.TryGetValue(folder, out var set) ? set : imports[folder] = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match match in ServiceName().Matches(File.ReadAllText(file)))
            {
                var target = match.Groups["folder"].Value;
                if (target != folder && !match.Value.StartsWith("namespace", StringComparison.Ordinal))
                {
                    named.Add(target);
                }
            }
        }

        return imports;
    }

    /// <summary><c>Qbee.Authz.Service.X</c> in a using, an alias or a qualified name; the namespace line is skipped by the caller.</summary>
    [GeneratedRegex(@"(?:namespace\s+)?\bQbee\.Authz\.Service\.(?<folder>[A-Z]\w*)")]
    private static partial Regex ServiceName();
}
