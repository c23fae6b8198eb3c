using System.Reflection;

namespace Qbee.Authz.Cli.Tests;

/// <summary>Where this test build came from: the repository (for its samples and README) and the configuration.</summary>
internal static class Repository
{
    public static string Root => Metadata("RepositoryRoot");

    public static string Configuration => Metadata("Configuration");

    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
