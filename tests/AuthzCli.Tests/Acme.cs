using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Tests;

/// <summary>The README's account: role support (device:read on tag:production; console and tunnel 8000-8100 there),
/// bob and carol hold it, dave holds nothing; one production device under group factory, remote access on.</summary>
internal static class Acme
{
    public const string Account = "acme";
    public static readonly string Device = Fleet.DeviceId(1);

    public static async Task<ulong> CreateAsync(AuthzServer server, string account = Account, string? device = null)
    {
        await server.Admin.CreateAccountAsync(Fleet.Account(account, $"{account}-alice"));
        await server.Admin.PutRoleAsync(new PutRoleRequest
        {
            Role = Fleet.Role(account, "support",
                ("device:read", ["tag:production"]),
                ("remote-access:connect", ["tag:production/console", "tag:production/tunnel(proto=tcp;port=8000-8100;dst=localhost)"])),
        });
        await server.Admin.PutUsersAsync(new PutUsersRequest
        {
            AccountId = account,
            Users = { Fleet.User(account, $"{account}-bob", "support"), Fleet.User(account, $"{account}-carol", "support"), Fleet.User(account, $"{account}-dave") },
        });
        await server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(account, $"{account}-factory") });
        await server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(account, device ?? Device, $"{account}-factory", "production") });
        var set = await server.Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = account, NodeId = $"{account}-factory", Setting = RemoteAccessSetting.Enabled });
        return set.Revision;
    }
}
