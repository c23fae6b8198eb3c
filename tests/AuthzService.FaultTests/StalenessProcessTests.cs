using Grpc.Health.V1;
using Microsoft.Data.Sqlite;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FaultTests;

/// <summary>
/// Bounded staleness against the real process, without Redis: an account the replica cannot confirm current
/// (the store holds a version of it that does not load) takes AuthorizationService out of service past
/// Authz:Sync:MaxStaleness, while checks keep answering from the snapshot held; it comes back once it loads.
/// </summary>
public sealed class StalenessProcessTests
{
    private const string Acme = "acme";
    private static readonly string AuthorizationServiceName = AuthorizationService.Descriptor.FullName;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AccountUnconfirmable_PastMaxStaleness_AuthorizationServiceNotServingWhileChecksAnswer_ThenServingAgain()
    {
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Authz:Redis:PollInterval"] = "00:00:00.200",
            ["Authz:Sync:MaxStaleness"] = "00:00:02",
        });
        await service.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await service.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "auditor", ("audit:read", [])) });
        var bob = await service.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "auditor") });
        await service.Authz.CheckAsync(new CheckRequest { UserId = "bob", Permission = "audit:read", MinRevision = bob.Revision }, deadline: DateTime.UtcNow + Deadline);
        await service.WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus.Serving, AuthorizationServiceName);

        var policies = Sql(service, "SELECT policies FROM roles WHERE account_id = 'acme' AND role_id = 'auditor'");
        Sql(service, "BEGIN; UPDATE roles SET policies = 'not json' WHERE account_id = 'acme' AND role_id = 'auditor'; "
            + "UPDATE accounts SET revision = revision + 1, revision_stamp = 1 WHERE account_id = 'acme'; COMMIT");
        await service.WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus.NotServing, AuthorizationServiceName, Deadline);
        var whileStale = await service.Authz.CheckAsync(new CheckRequest { UserId = "bob", Permission = "audit:read" });
        var overall = await service.Health.CheckAsync(new HealthCheckRequest { Service = string.Empty });
        var status = await service.Admin.GetStatusAsync(new GetStatusRequest());

        Sql(service, "BEGIN; UPDATE roles SET policies = @policies WHERE account_id = 'acme' AND role_id = 'auditor'; "
            + "UPDATE accounts SET revision = revision + 1, revision_stamp = 2 WHERE account_id = 'acme'; COMMIT", policies);
        await service.WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus.Serving, AuthorizationServiceName, Deadline);
        var recovered = await service.Admin.GetStatusAsync(new GetStatusRequest());

        Assert.True(whileStale.Allowed, whileStale.Message);
        Assert.Equal(bob.Revision, whileStale.Revision);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, overall.Status); // live: not restarted
        Assert.Equal("stale", status.Sync.State);
        Assert.True(status.OldestConfirmationAge.ToTimeSpan() > TimeSpan.FromSeconds(2));
        Assert.Equal("ok", recovered.Sync.State);
        Assert.Equal(bob.Revision + 2, Assert.Single(recovered.Accounts).SnapshotRevision);
        Assert.Single(service.LogLines, line => line.Contains("not confirmed current with the store", StringComparison.Ordinal));
        Assert.Single(service.LogLines, line => line.Contains("confirmed current with the store again", StringComparison.Ordinal));
    }

    /// <summary>Another process writing the service's SQLite file, as an operator's sqlite3 session would (in one transaction).</summary>
    private static string? Sql(ServiceProcess service, string sql, string? policies = null)
    {
        using var connection = new SqliteConnection($"Data Source={service.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (policies is not null)
        {
            command.Parameters.AddWithValue("@policies", policies);
        }

        return command.ExecuteScalar() as string;
    }
}
