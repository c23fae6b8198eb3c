using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.UnitTests.Checks;

public sealed class CheckEngineTests : IDisposable
{
    private const string Device = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static readonly DateTimeOffset BuiltAt = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly CheckEngine _engine;

    public CheckEngineTests()
    {
        var registry = new SnapshotRegistry();
        registry.Publish(SnapshotCompiler.Compile(
            new AccountData(
                new AccountRecord("acme", "Acme", 3),
                [new RoleRecord("acme", "reader", "Reader", string.Empty, [new PolicyRecord("device:read", ["node:root"])])],
                [new UserRecord("acme", "bob", "bob@example.com", string.Empty, string.Empty, ["reader"], UserState.Active)],
                [
                    new NodeRecord("acme", "root", NodeKind.Group, string.Empty, string.Empty, [], false),
                    new NodeRecord("acme", Device, NodeKind.Device, "root", string.Empty, [], false),
                ],
                []),
            BuiltAt));
        var readiness = new Readiness();
        readiness.MarkReady();
        var time = new FakeTimeProvider(BuiltAt);
        var audit = new AuditQueue(Options.Create(new AuditOptions()), time, NullLogger<AuditQueue>.Instance);
        var redis = new RedisConnection(Options.Create(new SyncOptions()), NullLogger<RedisConnection>.Instance);
        var freshness = new SyncFreshness(time, Options.Create(new StalenessOptions()), NullLogger<SyncFreshness>.Instance);
        var metrics = new AuthzMetrics(_services.GetRequiredService<IMeterFactory>(), new SnapshotGauges(registry, freshness, redis), new AuditGauges(audit), time);
        _engine = new CheckEngine(new UserResolver(registry, readiness, store: null!), audit, time, metrics);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void CheckAsync_GrantedOnADevice_AnswersSynchronouslyWithTheGrant()
    {
        var result = AnswerNow(Check("bob", Device));

        Assert.Equal(DecisionReason.Granted, result.Reason);
        Assert.Equal("device:read", result.Permission);
        Assert.Equal("reader", result.RoleId);
        Assert.Equal("node:root", result.Resource);
        Assert.Equal(3, result.Revision);
        Assert.Equal("Allowed.", result.Message);
    }

    [Fact]
    public void CheckAsync_GroupNamedAsDevice_DeviceNotFound()
    {
        var result = AnswerNow(Check("bob", "root"));

        Assert.Equal(DecisionReason.DeviceNotFound, result.Reason);
        Assert.Equal(string.Empty, result.Resource);
    }

    [Fact]
    public void CheckAsync_NotAudited_AllocatesNothing()
    {
        var check = Check("bob", Device);
        for (var i = 0; i < 1_000; i++)
        {
            AnswerNow(check); // warm up: JIT
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var allowed = 0;
        for (var i = 0; i < 10_000; i++)
        {
            allowed += AnswerNow(check).Allowed ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000, allowed);
    }

    /// <summary>A check that needs no wait completes synchronously: its result, without blocking.</summary>
    private CheckResult AnswerNow(in PreparedCheck check)
    {
        var answer = _engine.CheckAsync(check, default, DateTime.MaxValue, CancellationToken.None);
        Assert.True(answer.IsCompletedSuccessfully);
        return answer.Result;
    }

    private static PreparedCheck Check(string user, string device) =>
        new(user, Permission.DeviceRead, device, RemoteAccessQuery.None, MinRevision: 0, Explain: false);
}
