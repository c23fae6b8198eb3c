using System.Text.RegularExpressions;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.Service.PolicyTests;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// A policy test file means what a server holding its rows answers: the sample's rows written through AdminService,
/// each assertion asked by Check with explain, and the offline answer equal to the server's (reason, grant, restricted,
/// message with its explain text; only the revision in the text differs); a '*' asked by ListAllowedDevices or per user.
/// </summary>
public sealed partial class PolicyTestsAgainstServerTests : IAsyncLifetime
{
    private AuthzServer _server = null!;

    public async Task InitializeAsync() => _server = await AuthzServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Sample_EveryAssertion_IsAnsweredOfflineAsTheServerAnswersIt()
    {
        var file = PolicyFileLoader.Load("support-team.yaml", File.OpenText(SamplePath()));
        await WriteAsync(file.Data);

        var results = PolicyTestRunner.Run(file);

        foreach (var result in results)
        {
            Assert.True(result.Passed, result.Assertion.Text);
            if (result.Assertion.Subject != AssertionSubject.One)
            {
                Assert.Equal(result.Allowed, await AllowedAsync(file, result.Assertion));
                continue;
            }

            var check = result.Assertion.Check;
            var request = new CheckRequest { UserId = check.UserId, Permission = PermissionCatalog.NameOf(check.Permission), DeviceId = check.DeviceId, Explain = true };
            if (check.AskedRemoteAccess is { } asked)
            {
                request.RemoteAccess = asked.ToProto();
            }

            var server = await _server.Authz.CheckAsync(request);

            var offline = result.Actual;
            Assert.Equal(
                (server.Allowed, (int)server.Reason, server.RoleId, server.Resource, server.Restricted, WithoutRevision(server.Message)),
                (offline.Allowed, (int)offline.Reason, offline.RoleId, offline.Resource, offline.Restricted, WithoutRevision(offline.Message)));
        }

        Assert.True(results.Count >= 30);
    }

    /// <summary>A '*' asked of the server: ListAllowedDevices for the devices, one Check per user for the users.</summary>
    private async Task<string[]> AllowedAsync(PolicyTestFile file, PolicyAssertion assertion)
    {
        var check = assertion.Check;
        var remote = check.AskedRemoteAccess?.ToProto();
        if (assertion.Subject == AssertionSubject.Devices)
        {
            var request = new ListAllowedDevicesRequest { UserId = check.UserId, Permission = PermissionCatalog.NameOf(check.Permission), RemoteAccess = remote, PageSize = 1000 };
            var page = await _server.Authz.ListAllowedDevicesAsync(request);
            Assert.Empty(page.NextPageToken);
            return [.. page.DeviceIds.Select(file.Devices.NameOf).Order(StringComparer.Ordinal)];
        }

        var allowed = new List<string>();
        foreach (var user in file.Data.Users)
        {
            var answer = await _server.Authz.CheckAsync(new CheckRequest
            {
                UserId = user.UserId, Permission = PermissionCatalog.NameOf(check.Permission), DeviceId = check.DeviceId, RemoteAccess = remote,
            });
            if (answer.Allowed)
            {
                allowed.Add(user.UserId);
            }
        }

        return [.. allowed.Order(StringComparer.Ordinal)];
    }

    private async Task WriteAsync(AccountData rows)
    {
        var accountId = rows.Account.AccountId;
        var owner = rows.Users[0];
        await _server.Admin.CreateAccountAsync(new CreateAccountRequest
        {
            AccountId = accountId,
            Name = rows.Account.Name,
            Owner = new User { UserId = owner.UserId, Email = owner.Email },
        });
        foreach (var role in rows.Roles)
        {
            await _server.Admin.PutRoleAsync(new PutRoleRequest { Role = role.ToProto() });
        }

        var nodes = new PutNodesRequest { AccountId = accountId };
        nodes.Nodes.AddRange(rows.Nodes.Select(n => n.ToProto()));
        await _server.Admin.PutNodesAsync(nodes);
        foreach (var setting in rows.RemoteAccessSettings.OrderBy(s => s.ChangedRevision))
        {
            await _server.Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest
            {
                AccountId = accountId,
                NodeId = setting.TargetKind == RemoteAccessTarget.Node ? setting.Target : string.Empty,
                Tag = setting.TargetKind == RemoteAccessTarget.Tag ? setting.Target : string.Empty,
                Setting = setting.Enabled ? RemoteAccessSetting.Enabled : RemoteAccessSetting.Disabled,
            });
        }

        var users = new PutUsersRequest { AccountId = accountId };
        users.Users.AddRange(rows.Users.Select(u => u.ToProto()));
        await _server.Admin.PutUsersAsync(users);
    }

    private static string WithoutRevision(string message) => Revision().Replace(message, "revision N");

    [GeneratedRegex(@"revision \d+")]
    private static partial Regex Revision();

    private static string SamplePath()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Qbee.Authz.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Qbee.Authz.sln not found"), "samples", "policy-tests", "support-team.yaml");
    }
}
