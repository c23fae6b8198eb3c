using System.Globalization;

namespace Qbee.Authz.Harness;

/// <summary>Nearest-rank percentiles over every sample taken (none dropped but the warm-up the caller left out).</summary>
internal static class Percentiles
{
    public static double At(IReadOnlyCollection<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyCollection<double> values) => At(values, 0.50);

    public static string Summary(IReadOnlyCollection<double> values) =>
        string.Create(CultureInfo.InvariantCulture, $"p50 {At(values, 0.50):F2} ms, p99 {At(values, 0.99):F2} ms, max {At(values, 1.0):F2} ms");
}
