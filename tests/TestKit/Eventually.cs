namespace Qbee.Authz.TestKit;

/// <summary>
/// Waits on a condition instead of a sleep: polls it until it holds, and fails the test (naming what was awaited) when
/// it does not within the bound.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(5);

    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan? bound = null) =>
        HoldsAsync(() => Task.FromResult(condition()), what, bound);

    /// <summary>A condition that asks something (a server's status): asked again only once its last answer came.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? bound = null)
    {
        var limit = bound ?? DefaultBound;
        var until = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow >= until)
            {
                throw new TimeoutException($"{what}: did not hold within {limit.TotalSeconds:F0} s");
            }

            await Task.Delay(PollEvery);
        }
    }
}
