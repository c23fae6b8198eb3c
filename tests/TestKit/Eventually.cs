namespace Qbee.Authz.TestKit;

/// <summary>
/// Waits on a condition instead of a sleep: polls it until it holds, and fails the test (naming what was awaited) when
/// it does not within the bound.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(5);

    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? bound = null)
    {
        var until = DateTime.UtcNow + (bound ?? DefaultBound);
        while (!condition())
        {
            if (DateTime.UtcNow >= until)
            {
                throw new TimeoutException($"{what}: did not hold within {(bound ?? DefaultBound).TotalSeconds:F0} s");
            }

            await Task.Delay(PollEvery);
        }
    }
}
