using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// Keeps this replica's snapshots at the store's versions: change messages from Redis make it follow within
/// milliseconds; a poll of the store's versions catches up after a lost message, a reconnect, or when there is
/// no Redis at all, and is what confirms each account current (<see cref="SyncFreshness"/>).
/// </summary>
internal sealed class RevisionSync(
    RedisConnection redis,
    RedisSnapshotCache cache,
    SnapshotRefresher refresher,
    AccountLoader loader,
    SyncFreshness freshness,
    IOptions<SyncOptions> options,
    TimeProvider timeProvider,
    ILogger<RevisionSync> logger) : BackgroundService
{
    private readonly Channel<(string AccountId, AccountVersion Version)> _announced =
        Channel.CreateUnbounded<(string, AccountVersion)>(new UnboundedChannelOptions { SingleReader = true });

    private bool _subscribed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.Restored += () => _announced.Writer.TryWrite((string.Empty, default));
        var follow = FollowAnnouncementsAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.PollInterval, timeProvider);
        try
        {
            do
            {
                await SubscribeOnceAsync();
                await PollAsync(stoppingToken);
                freshness.Review();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        _announced.Writer.TryComplete();
        await follow;
    }

    private async Task SubscribeOnceAsync()
    {
        if (_subscribed || !cache.Usable)
        {
            return;
        }

        try
        {
            await redis.Subscriber.SubscribeAsync(redis.ChangesChannel, (_, message) =>
            {
                if (RedisSnapshotCache.TryParseMessage(message, out var accountId, out var version))
                {
                    _announced.Writer.TryWrite((accountId, version));
                }
            });
            _subscribed = true;
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            SnapshotsLog.SyncFailed(logger, e);
        }
    }

    private async Task FollowAnnouncementsAsync(CancellationToken stoppingToken)
    {
        await foreach (var (accountId, version) in _announced.Reader.ReadAllAsync(CancellationToken.None))
        {
            if (stoppingToken.IsCancellationRequested)
            {
                continue;
            }

            try
            {
                if (accountId.Length == 0)
                {
                    // Reconnected: messages may have been lost meanwhile.
                    await PollAsync(stoppingToken);
                }
                else
                {
                    await refresher.FollowAsync(accountId, version, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                SnapshotsLog.SyncFailed(logger, e);
            }
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        try
        {
            await refresher.PollAsync(cancellationToken);
            loader.EnforceBudget(); // patches grow snapshots too
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The store is down: keep answering from the snapshots held; nothing is confirmed until it is back.
            SnapshotsLog.SyncFailed(logger, e);
        }
    }
}
