using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Qbee.Authz.Client.Caching;
using Qbee.Authz.Client.Consistency;

namespace Qbee.Authz.Client.UnitTests;

/// <summary>
/// The client's consistency parts wired as the container wires them, over <see cref="FakeAuthorizationService"/>:
/// the cache reads <see cref="Time"/> (a fake clock); the watch's back-off runs on the real one, 1 ms, so a
/// broken watch comes back at once.
/// </summary>
internal sealed class ClientParts : IAsyncDisposable
{
    public ClientParts(Action<AuthzClientOptions>? configure = null)
    {
        var options = new AuthzClientOptions { Address = new Uri("http://127.0.0.1:50051"), WatchInitialBackoff = TimeSpan.FromMilliseconds(1) };
        options.DecisionCache.Enabled = true;
        configure?.Invoke(options);
        Options = Microsoft.Extensions.Options.Options.Create(options);
        var stream = new RevocationStream(Service.Factory, Options, Tracker, TimeProvider.System, NullLogger<RevocationStream>.Instance);
        Hub = new RevocationHub(stream, Tracker, NullLogger<RevocationHub>.Instance);
        Cache = new DecisionCache(Options, Tracker, Hub, Time);
        Client = new GrpcAuthzClient(Service.Client, Options, Tracker, Cache, stream);
    }

    public FakeAuthorizationService Service { get; } = new();

    public FakeTimeProvider Time { get; } = new();

    public IOptions<AuthzClientOptions> Options { get; }

    public RevisionTracker Tracker { get; } = new();

    public RevocationHub Hub { get; }

    public DecisionCache Cache { get; }

    public GrpcAuthzClient Client { get; }

    /// <summary>Starts the account's watch (as the cache's first answer does) and connects it after <paramref name="after"/>.</summary>
    public async Task<FakeWatch> ConnectAsync(string accountId, ulong after)
    {
        Hub.Subscribe(accountId, static _ => { }).Dispose(); // the watch runs on without the subscription
        var watch = await Service.NextWatchAsync();
        await watch.ConnectAsync(after);
        return watch;
    }

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}
