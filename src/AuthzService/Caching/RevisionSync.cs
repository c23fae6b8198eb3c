using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Hosting;

namespace Qbee.Authz.Service.Caching;

/// <summary>
/// Keeps this replica's snapshots at the newest revisions: change messages from Redis make it follow within
/// milliseconds; a poll of the revisions (Redis when it answers, else SQL) catches up after a lost message,
/// a reconnect, or when there is no Redis at all.
/// </summary>
internal sealed class RevisionSync(
    RedisConnection redis,
    RedisSnapshotCache cache,
    SnapshotRefresher refresher,
    SnapshotRegistry registry,
    IOptions<SyncOptions> options,
    TimeProvider timeProvider,
    ILogger<RevisionSync> logger) : BackgroundService
{
    private readonly Channel<(string AccountId, long Revision)> _announced =
        Channel.CreateUnbounded<(string, long)>(new UnboundedChannelOptions { SingleReader = true });

    private bool _subscribed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.Restored += () => _announced.Writer.TryWrite((string.Empty, 0));
        var follow = FollowAnnouncementsAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.PollInterval, timeProvider);
        try
        {
            do
            {
                await SubscribeOnceAsync();
                await PollAsync(stoppingToken);
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
                if (RedisSnapshotCache.TryParseMessage(message, out var accountId, out var revision))
                {
                    _announced.Writer.TryWrite((accountId, revision));
                }
            });
            _subscribed = true;
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            AuthzLog.SyncFailed(logger, e);
        }
    }

    private async Task FollowAnnouncementsAsync(CancellationToken stoppingToken)
    {
        await foreach (var (accountId, revision) in _announced.Reader.ReadAllAsync(CancellationToken.None))
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
                    await refresher.EnsureRevisionAsync(accountId, revision, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                AuthzLog.SyncFailed(logger, e);
            }
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, long> newest;
        try
        {
            newest = await refresher.NewestRevisionsAsync(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            AuthzLog.SyncFailed(logger, e);
            return;
        }

        foreach (var (accountId, revision) in newest)
        {
            if ((registry.Get(accountId)?.Revision ?? 0) >= revision)
            {
                continue;
            }

            try
            {
                await refresher.EnsureRevisionAsync(accountId, revision, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Per account: one that fails to load does not hold the others back.
                AuthzLog.AccountLoadFailed(logger, e, accountId);
            }
        }
    }
}
