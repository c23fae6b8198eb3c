namespace Qbee.Authz.Service.UnitTests.Architecture;

/// <summary>Files of the repository the architecture tests read (the sources, the docs), found above the test's folder.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

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
