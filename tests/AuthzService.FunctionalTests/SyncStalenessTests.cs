using System.Reflection;
using Grpc.Health.V1;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Qbee.Authz.V1;
using IAuthzStore = Qbee.Authz.Service.Storage.IAuthzStore;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// Bounded staleness, no Redis: while the store cannot be read no poll confirms an account current, and past
/// Authz:Sync:MaxStaleness the AuthorizationService health says NOT_SERVING while checks keep answering.
/// </summary>
public sealed class SyncStalenessTests : IAsyncLifetime
{
    private const string AuthorizationService = "qbee.authz.v1.AuthorizationService";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly StoreSwitch _store = new();
    private AuthzServer _server = null!;

    public async Task InitializeAsync() => _server = await AuthzServer.StartAsync(
        new Dictionary<string, string?>
        {
            ["Authz:Redis:PollInterval"] = "00:00:00.100",
            ["Authz:Sync:MaxStaleness"] = "00:00:02",
        },
        hooks: new ServerHooks(Configure: builder => _store.Install(builder.Services)));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task StoreUnreadable_PastMaxStaleness_AuthorizationServiceNotServingWhileChecksAnswer_ThenServingAgain()
    {
        await _server.Admin.CreateAccountAsync(Fleet.Account("acme", "olivia"));
        var health = new Health.HealthClient(_server.Channel);
        await WaitForHealthAsync(health, HealthCheckResponse.Types.ServingStatus.Serving);

        _store.Down = true;
        await WaitForHealthAsync(health, HealthCheckResponse.Types.ServingStatus.NotServing);
        var whileStale = await _server.Authz.CheckAsync(new CheckRequest { UserId = "olivia", Permission = "audit:read" });
        var overall = await health.CheckAsync(new HealthCheckRequest { Service = string.Empty });
        var admin = await health.CheckAsync(new HealthCheckRequest { Service = "qbee.authz.v1.AdminService" });
        var status = await _server.Admin.GetStatusAsync(new GetStatusRequest());

        _store.Down = false;
        await WaitForHealthAsync(health, HealthCheckResponse.Types.ServingStatus.Serving);
        var recovered = await _server.Admin.GetStatusAsync(new GetStatusRequest());

        Assert.True(whileStale.Allowed);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, overall.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, admin.Status);
        Assert.Equal("stale", status.Sync.State);
        Assert.Contains("acme", status.Sync.Detail, StringComparison.Ordinal);
        Assert.True(status.OldestConfirmationAge.ToTimeSpan() > TimeSpan.FromSeconds(2));
        Assert.True(Assert.Single(status.Accounts).ConfirmedAge.ToTimeSpan() > TimeSpan.FromSeconds(2));
        Assert.Equal("down", status.Store.State);
        Assert.Equal("ok", recovered.Sync.State);
        Assert.True(recovered.OldestConfirmationAge.ToTimeSpan() < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Start_MaxStalenessNotLongerThanThePollInterval_FailsNamingTheSetting()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => AuthzServer.StartAsync(new Dictionary<string, string?>
        {
            ["Authz:Redis:PollInterval"] = "00:00:05",
            ["Authz:Sync:MaxStaleness"] = "00:00:05",
        }));

        Assert.Contains("Authz:Sync:MaxStaleness", failure.Message, StringComparison.Ordinal);
    }

    private async Task WaitForHealthAsync(Health.HealthClient health, HealthCheckResponse.Types.ServingStatus expected)
    {
        var until = DateTime.UtcNow + Deadline;
        while ((await health.CheckAsync(new HealthCheckRequest { Service = AuthorizationService })).Status != expected)
        {
            Assert.True(DateTime.UtcNow < until, $"{AuthorizationService} health did not turn {expected} in time");
            await Task.Delay(50);
        }
    }

    /// <summary>Puts the service's store behind a switch: down, every call fails as an unreadable SQLite file does.</summary>
    private sealed class StoreSwitch
    {
        public volatile bool Down;

        public void Install(IServiceCollection services)
        {
            var real = services.Single(d => d.ServiceType == typeof(IAuthzStore));
            services.Remove(real);
            services.AddSingleton(sp =>
            {
                var inner = real.ImplementationInstance as IAuthzStore
                    ?? (IAuthzStore)(real.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, real.ImplementationType!));
                return SwitchedStore.Create(inner, this);
            });
        }
    }

    /// <summary>Forwards to the real store unless the switch is down.</summary>
    public class SwitchedStore : DispatchProxy
    {
        private IAuthzStore _inner = null!;
        private StoreSwitch _switch = null!;

        internal static IAuthzStore Create(IAuthzStore inner, object storeSwitch)
        {
            var proxy = Create<IAuthzStore, SwitchedStore>();
            var switched = (SwitchedStore)(object)proxy;
            switched._inner = inner;
            switched._switch = (StoreSwitch)storeSwitch;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (_switch.Down)
            {
                throw new SqliteException("SQLite Error 14: 'unable to open database file'.", 14);
            }

            try
            {
                return targetMethod!.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}
