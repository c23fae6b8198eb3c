using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>
/// The process's one Redis multiplexer. Connecting never fails the service: with Redis down the multiplexer
/// keeps retrying in the background while replicas answer from memory and converge through SQL.
/// </summary>
internal sealed class RedisConnection(IOptions<SyncOptions> options, ILogger<RedisConnection> logger) : IAsyncDisposable
{
    private ConnectionMultiplexer? _multiplexer;

    public bool Enabled => options.Value.RedisEnabled;

    public bool IsConnected => _multiplexer?.IsConnected == true;

    /// <summary>"disabled", "ok" or "down", for GetStatus and health.</summary>
    public string State => !Enabled ? "disabled" : IsConnected ? "ok" : "down";

    public IDatabase Database => (_multiplexer ?? throw new InvalidOperationException("Redis is not configured")).GetDatabase();

    public ISubscriber Subscriber => (_multiplexer ?? throw new InvalidOperationException("Redis is not configured")).GetSubscriber();

    public RedisKey Key(string suffix) => new(options.Value.KeyPrefix + suffix);

    public RedisChannel ChangesChannel => RedisChannel.Literal(options.Value.KeyPrefix + "revisions");

    /// <summary>Raised when the connection comes back, so the caller can catch up on missed messages.</summary>
    public event Action? Restored;

    public async Task ConnectAsync()
    {
        if (!Enabled || _multiplexer is not null)
        {
            return;
        }

        var configuration = ConfigurationOptions.Parse(options.Value.Configuration);
        configuration.AbortOnConnectFail = false;
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration);
        _multiplexer.ConnectionFailed += (_, e) => SnapshotsLog.RedisConnectionFailed(logger, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString());
        _multiplexer.ConnectionRestored += (_, e) =>
        {
            SnapshotsLog.RedisConnectionRestored(logger, e.EndPoint?.ToString() ?? "?");
            Restored?.Invoke();
        };
        if (!_multiplexer.IsConnected)
        {
            // Never the raw string: it may hold password=...
            SnapshotsLog.RedisConnectionFailed(logger, configuration.ToString(includePassword: false), "not reachable at start");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }
    }
}
