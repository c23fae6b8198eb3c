using System.Text.RegularExpressions;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>The files of deploy/observability, and the metric names they use.</summary>
internal static partial class ObservabilityKit
{
    public static string Root { get; } = Path.Combine(FindRoot(), "deploy", "observability");

    public static string PrometheusDirectory { get; } = Path.Combine(Root, "prometheus");

    public static string DashboardPath { get; } = Path.Combine(Root, "grafana", "qbee-authz-dashboard.json");

    /// <summary>
    /// The service's metric names (qbee_authz_*, dotnet_*) that a rules file or the dashboard reads. Recording rules
    /// (qbee_authz:...:...) and Prometheus's own series (up) are not the service's, and do not match.
    /// </summary>
    public static IReadOnlySet<string> MetricNamesIn(string path) =>
        MetricName().Matches(File.ReadAllText(path)).Select(m => m.Value).ToHashSet();

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Qbee.Authz.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Qbee.Authz.sln not found above the test's folder.");
    }

    [GeneratedRegex(@"(?<![\w:])(?:qbee_authz|dotnet)_[a-z0-9_]+")]
    private static partial Regex MetricName();
}
