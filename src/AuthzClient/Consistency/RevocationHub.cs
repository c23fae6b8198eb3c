using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Qbee.Authz.Client.Consistency;

/// <summary>
/// One revocation watch per account for the whole process, fanned out to the decision cache and the remote-access
/// guard. A watch starts at the first subscription, after the highest revision the client has seen of the account,
/// and runs until the process stops. Whether it is connected is known (<see cref="Connection"/>): while it is not,
/// revocations may be missed, so the cache serves nothing and the guard re-checks sessions on an interval.
/// </summary>
internal sealed class RevocationHub(RevocationStream stream, RevisionTracker tracker, ILogger<RevocationHub> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, AccountWatch> _watches = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public IDisposable Subscribe(string accountId, Action<Revocation> handler)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var watch = _watches.GetOrAdd(accountId, id => new AccountWatch(id));
        var subscription = watch.Add(handler);
        watch.EnsureStarted(() => RunAsync(watch));
        return subscription;
    }

    public bool IsWatching(string accountId) => _watches.ContainsKey(accountId);

    /// <summary>The account's watch is connected now.</summary>
    public bool IsConnected(string accountId) => Connection(accountId) != 0;

    /// <summary>
    /// The number of the account's current connection (each reconnection gets a new one), 0 while it is down. An
    /// answer kept during one connection is stale in the next: a revocation missed in between is replayed just after
    /// the reconnection, and may not have arrived yet.
    /// </summary>
    public int Connection(string accountId) => _watches.TryGetValue(accountId, out var watch) ? watch.Connection : 0;

    /// <summary>
    /// A revocation after <paramref name="revision"/> reaches the subscribers now: the watch is connected (its
    /// connection is <paramref name="connection"/>) and resumed no later than that revision (an answer from before
    /// may predate a revocation this connection never delivers).
    /// </summary>
    public bool Covers(string accountId, ulong revision, out int connection)
    {
        connection = 0;
        if (!_watches.TryGetValue(accountId, out var watch))
        {
            return false;
        }

        connection = watch.Connection;
        return connection != 0 && revision >= watch.StartRevision;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var watch in _watches.Values)
        {
            if (watch.Loop is { } loop)
            {
                await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(AccountWatch watch)
    {
        await Task.Yield();
        try
        {
            await foreach (var revocation in stream.WatchAsync(watch.AccountId, tracker.RevisionOf(watch.AccountId), watch.SetConnected, _stopping.Token).ConfigureAwait(false))
            {
                foreach (var handler in watch.Handlers())
                {
                    try
                    {
                        handler(revocation);
                    }
                    catch (Exception e)
                    {
                        ClientLog.RevocationHandlerFailed(logger, e, watch.AccountId);
                    }
                }
            }
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            // The stream retries every status; only a bug lands here. Dropped, so the next subscription starts over,
            // and unconnected meanwhile (the cache is bypassed, sessions are re-checked).
            ClientLog.WatchFailed(logger, e, watch.AccountId);
            watch.SetConnected(null);
            _watches.TryRemove(new KeyValuePair<string, AccountWatch>(watch.AccountId, watch));
        }
    }

    private sealed class AccountWatch(string accountId)
    {
        private readonly Lock _lock = new();
        private Action<Revocation>[] _handlers = [];

        private int _connection;
        private int _connections;
        private ulong _startRevision = ulong.MaxValue;

        public string AccountId { get; } = accountId;

        /// <summary>The revision the current connection resumed after: later revocations are delivered in it.</summary>
        public ulong StartRevision => Volatile.Read(ref _startRevision);

        /// <summary>The current connection's number; 0 while down.</summary>
        public int Connection => Volatile.Read(ref _connection);

        /// <param name="after">The revision the new connection resumes after; null: the connection is lost.</param>
        public void SetConnected(ulong? after)
        {
            if (after is { } revision)
            {
                Volatile.Write(ref _startRevision, revision);
                Volatile.Write(ref _connection, Interlocked.Increment(ref _connections));
            }
            else
            {
                Volatile.Write(ref _connection, 0);
            }
        }

        public Task? Loop { get; private set; }

        public Action<Revocation>[] Handlers() => Volatile.Read(ref _handlers);

        public void EnsureStarted(Func<Task> start)
        {
            lock (_lock)
            {
                Loop ??= start();
            }
        }

        public IDisposable Add(Action<Revocation> handler)
        {
            lock (_lock)
            {
                _handlers = [.. _handlers, handler];
            }

            return new Subscription(this, handler);
        }

        private void Remove(Action<Revocation> handler)
        {
            lock (_lock)
            {
                _handlers = _handlers.Where(h => h != handler).ToArray();
            }
        }

        private sealed class Subscription(AccountWatch watch, Action<Revocation> handler) : IDisposable
        {
            private int _disposed;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _disposed, 1) == 0)
                {
                    watch.Remove(handler);
                }
            }
        }
    }
}
