using System.Runtime.CompilerServices;

namespace Qbee.Authz.TestKit;

/// <summary>
/// Waits on a condition instead of a sleep: polls it until it holds, and fails the test (naming the condition, as
/// written at the call) when it does not within the bound.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(10);

    public static Task HoldsAsync(Func<bool> condition, TimeSpan? bound = null, [CallerArgumentExpression(nameof(condition))] string what = "") =>
        HoldsAsync(() => Task.FromResult(condition()), bound, what);

    /// <summary>A condition that asks something (a store, a server's status): asked again only once its last answer came.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan? bound = null, [CallerArgumentExpression(nameof(condition))] string what = "")
    {
        var limit = bound ?? DefaultBound;
        var until = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow >= until)
            {
                throw new TimeoutException($"did not hold within {limit.TotalSeconds:F0} s: {what}");
            }

            await Task.Delay(PollEvery);
        }
    }
}
