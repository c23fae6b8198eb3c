using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Qbee.Authz.Client.Consistency;

/// <summary>
/// One revocation watch per account for the whole process, fanned out to the decision cache and the remote-access
/// guard. A watch starts at the first subscription, after the highest revision the client has seen of the account,
/// and runs until the process stops.
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
            await foreach (var revocation in stream.WatchAsync(watch.AccountId, tracker.RevisionOf(watch.AccountId), _stopping.Token).ConfigureAwait(false))
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
        catch (RpcException)
        {
            // Logged by the stream; a watch that a retry cannot fix is dropped, so a later subscription tries again.
            _watches.TryRemove(new KeyValuePair<string, AccountWatch>(watch.AccountId, watch));
        }
    }

    private sealed class AccountWatch(string accountId)
    {
        private readonly Lock _lock = new();
        private Action<Revocation>[] _handlers = [];

        public string AccountId { get; } = accountId;

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
