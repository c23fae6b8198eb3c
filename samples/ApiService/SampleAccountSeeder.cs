using Grpc.Core;
using Microsoft.Extensions.Options;
using Qbee.Authz.Client;

namespace Qbee.Authz.Samples.ApiService;

/// <summary>
/// At start, brings <see cref="SampleAccount"/> into the authorization service through the admin API before the
/// sample serves: creates the account unless it exists (ALREADY_EXISTS is the second start), then puts each group,
/// device, role and user that is missing or differs. A second start finds everything as it should be and writes
/// nothing. When the service cannot be reached the sample still starts (its checks then fail closed) and says so.
/// </summary>
public sealed partial class SampleAccountSeeder(
    IAuthzAdminClient admin, DeviceInventory inventory, IOptions<AuthzClientOptions> options, ILogger<SampleAccountSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var writes = await SeedAsync(cancellationToken);
            if (writes == 0)
            {
                UpToDate(logger, SampleAccount.Id, options.Value.Address!);
            }
            else
            {
                Seeded(logger, SampleAccount.Id, options.Value.Address!, writes);
            }
        }
        catch (RpcException e)
        {
            SeedFailed(logger, SampleAccount.Id, options.Value.Address!, e.StatusCode, e.Status.Detail);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Returns the number of writes it made (0: the account was already as the sample needs it).</summary>
    private async Task<int> SeedAsync(CancellationToken cancellationToken)
    {
        var writes = 0;
        try
        {
            await admin.CreateAccountAsync(SampleAccount.Id, SampleAccount.Name, SampleAccount.Owner, cancellationToken);
            writes++;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            // Seeded by an earlier start: the puts below repair whatever differs.
        }

        foreach (var node in SampleAccount.Nodes(inventory))
        {
            if (!Equals(await FindNodeAsync(node.NodeId, cancellationToken), node))
            {
                await admin.PutNodeAsync(node, cancellationToken);
                writes++;
            }
        }

        var roles = await admin.ListRolesAsync(SampleAccount.Id, cancellationToken);
        foreach (var role in SampleAccount.Roles.Where(r => !roles.Contains(r)))
        {
            await admin.PutRoleAsync(role, cancellationToken);
            writes++;
        }

        var users = await admin.ListUsersAsync(SampleAccount.Id, cancellationToken);
        foreach (var user in SampleAccount.Users.Where(u => !users.Contains(u)))
        {
            await admin.PutUserAsync(user, cancellationToken);
            writes++;
        }

        return writes;
    }

    private async Task<V1.Node?> FindNodeAsync(string nodeId, CancellationToken cancellationToken)
    {
        try
        {
            return await admin.GetNodeAsync(SampleAccount.Id, nodeId, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Sample account {AccountId} seeded at {Address}: {Writes} writes")]
    private static partial void Seeded(ILogger logger, string accountId, Uri address, int writes);

    [LoggerMessage(2, LogLevel.Information, "Sample account {AccountId} at {Address} is up to date: nothing written")]
    private static partial void UpToDate(ILogger logger, string accountId, Uri address);

    [LoggerMessage(3, LogLevel.Error, "Could not seed the sample account {AccountId} at {Address} ({StatusCode}: {Detail}): start the authorization service (dotnet run -c Release --project src/AuthzService), then this sample again; until then every check fails closed (403)")]
    private static partial void SeedFailed(ILogger logger, string accountId, Uri address, StatusCode statusCode, string detail);
}
