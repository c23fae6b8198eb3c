namespace Qbee.Authz.Service.Storage;

/// <summary>
/// A retention job of the store: one round at start, then one every <see cref="Interval"/> until the host stops. A
/// round that fails is logged and the next one tries again: a store briefly down only delays the purge.
/// </summary>
internal abstract class PeriodicPurge(TimeProvider timeProvider) : BackgroundService
{
    protected TimeProvider Clock { get; } = timeProvider;

    /// <summary>Null: the job is off (nothing is ever purged).</summary>
    protected abstract TimeSpan? Interval { get; }

    /// <summary>One round: deletes everything past the retention; returns how many rows or events it deleted.</summary>
    public abstract Task<long> PurgeAsync(CancellationToken cancellationToken);

    protected abstract void RoundFailed(Exception exception);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval is not { } interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, Clock);
        do
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                RoundFailed(e);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
