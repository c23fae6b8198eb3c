using System.Text;
using Grpc.Core;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// What an attacker would send, each class answered with a clear status and no state change; and a seeded
/// fuzz run that throws thousands of generated bad requests at PutRole, PutNode and Check.
/// </summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private const int MaxMessageBytes = 64 * 1024;
    private static readonly string Device1 = Fleet.DeviceId(1);
    private AuthzServer _server = null!;

    private AdminService.AdminServiceClient Admin => _server.Admin;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync(new Dictionary<string, string?>
        {
            ["Authz:Limits:MaxMessageBytes"] = MaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Authz:Limits:MaxBatch"] = "50",
            ["Authz:Limits:MaxPoliciesPerRole"] = "5",
            ["Authz:Limits:MaxResourcesPerPolicy"] = "3",
        });
        await Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"));
        await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "g1", "root", "prod") });
        await Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Device1, "g1", "prod") });
        await Admin.SetRemoteAccessAsync(new SetRemoteAccessRequest { AccountId = Acme, NodeId = "root", Setting = RemoteAccessSetting.Enabled });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string> BadResources => new()
    {
        { "unbalanced (", "*/tunnel(port=22" },
        { "unbalanced )", "*/tunnel)port=22(" },
        { "nested", "*/tunnel((port=22))" },
        { "duplicate key", "*/tunnel(port=22;port=23)" },
        { "huge port list", "*/tunnel(port=" + string.Join(',', Enumerable.Range(1, 65)) + ")" },
        { "negative port", "*/tunnel(port=-1)" },
        { "port zero", "*/tunnel(port=0)" },
        { "port over range", "*/tunnel(port=65536)" },
        { "port overflow", "*/tunnel(port=99999999999)" },
        { "signed port", "*/tunnel(port=+22)" },
        { "path with NUL", "*/copy(path=/etc\0/passwd)" },
        { "percent-encoded path", "*/copy(path=/srv/%2e%2e/etc)" },
        { "relative path", "*/copy(path=etc/passwd)" },
        { "backslash path", "*/copy(path=\\etc)" },
        { "lookalike tag", "tag:prоd" }, // Cyrillic 'о'
        { "control character", "tag:prod\u0007" },
        { "resource too long", "tag:" + new string('a', 2000) },
        { "unknown action", "*/exec" },
    };

    [Theory]
    [MemberData(nameof(BadResources))]
    public async Task PutRole_HostileResource_IsInvalidArgument_AndChangesNothing(string what, string resource)
    {
        var role = Fleet.Role(Acme, "evil", ("remote-access:connect", [resource]));

        var error = await AssertRejectedUnchangedAsync(StatusCode.InvalidArgument, () => Admin.PutRoleAsync(new PutRoleRequest { Role = role }).ResponseAsync);

        Assert.True(error.Status.Detail.StartsWith("role.policies[0].resources[0]", StringComparison.Ordinal), $"{what}: {error.Status.Detail}");
    }

    [Theory]
    [InlineData("id too long", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("control character", "ev\u0001l")]
    [InlineData("NUL", "ev\0l")]
    [InlineData("lookalike", "rоle")]
    [InlineData("slash", "a/b")]
    [InlineData("space", "a b")]
    public async Task PutRole_HostileRoleId_IsInvalidArgument(string what, string roleId)
    {
        var error = await AssertRejectedUnchangedAsync(StatusCode.InvalidArgument, () =>
            Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, roleId, ("audit:read", [])) }).ResponseAsync);

        Assert.True(error.Status.Detail.StartsWith("role.role_id", StringComparison.Ordinal), what);
    }

    [Fact]
    public async Task PutRole_OverPolicyAndResourceLimits_IsInvalidArgument()
    {
        var many = Fleet.Role(Acme, "many", Enumerable.Range(0, 6).Select(_ => ("audit:read", Array.Empty<string>())).ToArray());
        var wide = Fleet.Role(Acme, "wide", ("device:read", ["tag:a", "tag:b", "tag:c", "tag:d"]));

        var policies = await AssertRejectedUnchangedAsync(StatusCode.InvalidArgument, () => Admin.PutRoleAsync(new PutRoleRequest { Role = many }).ResponseAsync);
        var resources = await AssertRejectedUnchangedAsync(StatusCode.InvalidArgument, () => Admin.PutRoleAsync(new PutRoleRequest { Role = wide }).ResponseAsync);

        Assert.Contains("more than 5 policies", policies.Status.Detail);
        Assert.Contains("more than 3 resources", resources.Status.Detail);
    }

    [Theory]
    [InlineData("bob@exаmple.com")] // Cyrillic 'а'
    [InlineData("bоb@example.com")] // Cyrillic 'о'
    [InlineData("bob@example.com\0")]
    [InlineData("bob@ex\u200Bample.com")] // zero-width space
    public async Task PutUser_LookalikeOrHiddenCharacterEmail_IsInvalidArgument(string email)
    {
        var user = Fleet.User(Acme, "bob", "default");
        user.Email = email;

        await AssertRejectedUnchangedAsync(StatusCode.InvalidArgument, () => Admin.PutUserAsync(new PutUserRequest { User = user }).ResponseAsync);
    }

    [Fact]
    public async Task PutNode_DuplicateTags_IsInvalidArgument()
    {
        await AssertRejectedUnchangedAsync(StatusCode.InvalidArgument, () =>
            Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Group(Acme, "g2", "root", "prod", "prod") }).ResponseAsync);
    }

    [Theory]
    [InlineData(0u, "udp", "localhost", "")] // port 0 is "no port": a normal question
    [InlineData(65536u, "tcp", "localhost", "remote_access.port")]
    [InlineData(uint.MaxValue, "tcp", "localhost", "remote_access.port")]
    [InlineData(22u, "icmp", "localhost", "remote_access.proto")]
    [InlineData(22u, "tcp", "evil host", "remote_access.dst")]
    [InlineData(22u, "tcp", "lоcalhost", "remote_access.dst")]
    public async Task Check_HostileTunnel_IsInvalidArgumentNamingTheField(uint port, string proto, string dst, string field)
    {
        var request = Connect(new RemoteAccess { Action = RemoteAccessAction.Tunnel, Port = port, Proto = proto, Dst = dst });

        if (field.Length == 0)
        {
            Assert.Equal(DecisionReason.Granted, (await _server.Authz.CheckAsync(request)).Reason);
            return;
        }

        var error = await AssertRejectedUnchangedAsync(StatusCode.InvalidArgument, () => _server.Authz.CheckAsync(request).ResponseAsync);
        Assert.StartsWith(field, error.Status.Detail);
    }

    [Theory]
    [InlineData("/etc\0/passwd")]
    [InlineData("/srv/%2e%2e/etc")]
    [InlineData("relative/path")]
    [InlineData("")]
    public async Task Check_HostileCopyPath_IsInvalidArgument(string path)
    {
        var request = Connect(new RemoteAccess { Action = RemoteAccessAction.Copy, Direction = "download", Path = path });

        if (path.Length == 0)
        {
            // No path: the copy action as a whole, a normal question.
            Assert.True((await _server.Authz.CheckAsync(request)).Allowed);
            return;
        }

        var error = await AssertRejectedUnchangedAsync(StatusCode.InvalidArgument, () => _server.Authz.CheckAsync(request).ResponseAsync);
        Assert.StartsWith("remote_access.path", error.Status.Detail);
    }

    [Fact]
    public async Task Check_DotDotAndDoubleSlash_AreNormalisedBeforeMatching_NotAnEscape()
    {
        await Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "srv", ("remote-access:connect", ["*/copy(path=/srv/data)"])) });
        await Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "carl", "srv") });

        async Task<bool> Allowed(string path) => (await _server.Authz.CheckAsync(new CheckRequest
        {
            UserId = "carl", Permission = "remote-access:connect", DeviceId = Device1,
            RemoteAccess = new RemoteAccess { Action = RemoteAccessAction.Copy, Path = path },
        })).Allowed;

        Assert.True(await Allowed("/srv//data/./x"));
        Assert.False(await Allowed("/srv/data/../../etc/passwd"));
        Assert.False(await Allowed("/srv/database"));
    }

    [Fact]
    public async Task CheckBatch_OverTheLimit_IsInvalidArgument()
    {
        var batch = new CheckBatchRequest();
        batch.Checks.AddRange(Enumerable.Range(0, 51).Select(_ => new CheckRequest { UserId = "olivia", Permission = "audit:read" }));

        var error = await AssertRejectedUnchangedAsync(StatusCode.InvalidArgument, () => _server.Authz.CheckBatchAsync(batch).ResponseAsync);

        Assert.Contains("1..50", error.Status.Detail);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("!!!not base64!!!")]
    [InlineData("djF8MDAwMDAwMDAwMDAwMDAwMHwxfDAwMDAwMDAwMDAwMDAwMDA")] // v1|0000000000000000|1|0000000000000000
    public async Task ListAuditEvents_TamperedPageToken_IsInvalidArgument(string token)
    {
        var error = await AssertRejectedUnchangedAsync(StatusCode.InvalidArgument, () =>
            Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, PageToken = token }).ResponseAsync);

        Assert.StartsWith("page_token", error.Status.Detail);
    }

    [Fact]
    public async Task ListAuditEvents_TokenEditedByOneCharacter_IsInvalidArgument()
    {
        var first = await Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, PageSize = 1 });
        var token = first.NextPageToken;
        var edited = token[..10] + (token[10] == 'A' ? 'B' : 'A') + token[11..];

        await AssertRejectedUnchangedAsync(StatusCode.InvalidArgument, () =>
            Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, PageSize = 1, PageToken = edited }).ResponseAsync);
        await AssertRejectedUnchangedAsync(StatusCode.InvalidArgument, () =>
            Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, PageSize = 1, UserId = "olivia", PageToken = token }).ResponseAsync);
        await AssertRejectedUnchangedAsync(StatusCode.InvalidArgument, () =>
            Admin.ListAuditEventsAsync(new ListAuditEventsRequest { AccountId = Acme, PageSize = 1001 }).ResponseAsync);
    }

    [Fact]
    public async Task MessageOverTheSizeLimit_IsResourceExhausted_AndChangesNothing()
    {
        var role = Fleet.Role(Acme, "big", ("audit:read", []));
        role.Description = new string('x', MaxMessageBytes + 1);

        var error = await AssertRejectedUnchangedAsync(StatusCode.ResourceExhausted, () => Admin.PutRoleAsync(new PutRoleRequest { Role = role }).ResponseAsync);

        Assert.Contains("maximum", error.Status.Detail);
    }

    /// <summary>
    /// A seeded, bounded fuzz run: bad requests made by mutating good ones. Never a crash, never INTERNAL or
    /// UNKNOWN, and a rejected write never moves the account's revision.
    /// </summary>
    [Fact]
    public async Task Fuzz_GeneratedBadInputs_NeverInternal_NeverChangeStateWhenRejected()
    {
        // FUZZ_SEED=<n> replays (or explores) another seed; the failure message names the seed and the request.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var chosen) ? chosen : 20250601;
        var random = new Random(seed);
        var fuzz = new Fuzzer(random);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var revision = await RevisionAsync();
        var counts = new Dictionary<StatusCode, int>();
        var requests = 0;
        for (; requests < 3000 && DateTime.UtcNow < deadline; requests++)
        {
            var kind = random.Next(3);
            Func<Task> call = kind switch
            {
                0 => () => Admin.PutRoleAsync(new PutRoleRequest { Role = fuzz.Role() }).ResponseAsync,
                1 => () => Admin.PutNodeAsync(new PutNodeRequest { Node = fuzz.Node() }).ResponseAsync,
                _ => () => _server.Authz.CheckAsync(fuzz.Check()).ResponseAsync,
            };

            var status = StatusCode.OK;
            string detail = string.Empty;
            try
            {
                await call();
            }
            catch (RpcException e)
            {
                status = e.StatusCode;
                detail = e.Status.Detail;
            }

            counts[status] = counts.GetValueOrDefault(status) + 1;
            Assert.True(
                status is StatusCode.OK or StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.AlreadyExists,
                $"seed {seed}, request {requests} ({fuzz.Last}): {status} {detail}");
            if (kind == 2)
            {
                continue;
            }

            var now = await RevisionAsync();
            if (status == StatusCode.OK)
            {
                revision = now;
            }
            else
            {
                Assert.True(now == revision, $"seed {seed}, request {requests} ({fuzz.Last}): rejected with {status} but the revision moved {revision} -> {now}");
            }
        }

        Assert.True(requests >= 500, $"only {requests} requests in the time bound");
        Assert.True(counts.GetValueOrDefault(StatusCode.InvalidArgument) > requests / 2, string.Join(", ", counts));
        Console.WriteLine($"fuzz seed {seed}: {requests} requests: {string.Join(", ", counts.OrderBy(c => c.Key))}");
        var health = await new global::Grpc.Health.V1.Health.HealthClient(_server.Channel).CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest());
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    private static CheckRequest Connect(RemoteAccess remoteAccess) => new()
    {
        UserId = "olivia", Permission = "remote-access:connect", DeviceId = Device1, RemoteAccess = remoteAccess,
    };

    private async Task<ulong> RevisionAsync() => (await Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme })).Revision;

    private async Task<RpcException> AssertRejectedUnchangedAsync(StatusCode expected, Func<Task> call)
    {
        var before = await Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme });
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, error.StatusCode);
        Assert.Equal(before, await Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme }));
        return error;
    }

    /// <summary>Requests made from good pieces and hostile ones, then mutated character by character.</summary>
    private sealed class Fuzzer(Random random)
    {
        private static readonly string[] Ids =
        [
            "ok", "g1", "root", "unassigned_group", "default", "", new string('a', 65), "a\0b", "a\u0007b", "rоle", "a/b", "a b",
            "..", "%2e", "\ud800x", "ÄÖÜ", "a\u200Bb", "a;b", "a'--", "a\"b", "tag:x",
        ];

        private static readonly string[] Permissions =
        [
            "device:read", "remote-access:connect", "audit:read", "device:fly", "", "DEVICE:READ", "device:read\0", "remote-access:*",
        ];

        private static readonly string[] Entities = ["*", "tag:prod", "node:g1", "tag:", "node:", "tag:a b", "tág:x", "", "tag:prоd", "*:*"];

        private static readonly string[] Actions = ["", "/console", "/tunnel", "/copy", "/reload", "/fly", "/", "//console", "/console/tunnel"];

        private static readonly string[] Options =
        [
            "", "(", ")", "()", "(port=22", "(port=22;port=23)", "(port=-1)", "(port=0)", "(port=70000)", "(port=1-)", "(port=9-1)",
            "(port=" + string.Join(',', Enumerable.Range(1, 200)) + ")", "(path=/a\0b)", "(path=/a/%2e%2e)", "(path=rel)",
            "(path=/a/../..)", "(path=//a//b)", "(proto=icmp)", "(dst=a b)", "((port=22))", "(port=22))", "(=)", "(;)", "(port)",
            "(proto=tcp;port=22;dst=localhost)", "(direction=sideways)",
        ];

        private const string Hostile = "\0\u0001\u007f\u0085\u00a0\u200b\u202e\ufeff\ud800()/;=,:%*-.._aZ09 \\\"'";

        public string Last { get; private set; } = string.Empty;

        public Role Role()
        {
            var role = new Role { AccountId = Pick(["acme", "acme", "acme", "ghost", ""]), RoleId = Id(), Name = Text(130), Description = Text(2100) };
            for (var i = random.Next(0, 8); i > 0; i--)
            {
                var policy = new Policy { Permission = Pick(Permissions) };
                for (var j = random.Next(0, 5); j > 0; j--)
                {
                    policy.Resources.Add(Mutate(Pick(Entities) + Pick(Actions) + Pick(Options)));
                }

                role.Policies.Add(policy);
            }

            Last = Describe("PutRole", role);
            return role;
        }

        public Node Node()
        {
            var node = new Node
            {
                AccountId = Pick(["acme", "acme", "acme", "ghost"]),
                NodeId = random.Next(3) == 0 ? Mutate(Fleet.DeviceId(random.Next(5))) : Id(),
                Type = (NodeType)random.Next(0, 4),
                ParentId = Id(),
                Title = Text(300),
                AgentRemoteAccessDisabled = random.Next(4) == 0,
            };
            for (var i = random.Next(0, 4); i > 0; i--)
            {
                node.Tags.Add(random.Next(3) == 0 ? "prod" : Id());
            }

            Last = Describe("PutNode", node);
            return node;
        }

        public CheckRequest Check()
        {
            var request = new CheckRequest
            {
                UserId = random.Next(3) == 0 ? "olivia" : Id(),
                Permission = Pick(Permissions),
                DeviceId = random.Next(3) == 0 ? Mutate(Fleet.DeviceId(1)) : Pick(["", Fleet.DeviceId(1), Id()]),
                Explain = random.Next(2) == 0,
                MinRevision = random.Next(10) == 0 ? (ulong)random.NextInt64() : 0,
            };
            if (random.Next(2) == 0)
            {
                request.RemoteAccess = new RemoteAccess
                {
                    Action = (RemoteAccessAction)random.Next(0, 7),
                    Proto = Pick(["", "tcp", "udp", "icmp", "TCP", "tcp\0"]),
                    Port = Pick([0u, 22u, 65535u, 65536u, uint.MaxValue, (uint)random.Next()]),
                    Dst = Pick(["", "localhost", "10.0.0.1", "a b", "lоcalhost", new string('a', 300), "::1"]),
                    Direction = Pick(["", "upload", "download", "sideways"]),
                    Path = Pick(["", "/etc/passwd", "/a/../..", "//a//b", "/a%2fb", "/a\0b", "rel", "/" + new string('a', 5000)]),
                };
            }

            // A deadline keeps a far min_revision from waiting long: UNAVAILABLE or DEADLINE_EXCEEDED is not
            // what this checks, so such requests keep min_revision at zero unless the request is otherwise bad.
            if (request.MinRevision != 0)
            {
                request.UserId = "a\0b";
            }

            Last = Describe("Check", request);
            return request;
        }

        // Lone surrogates cannot be JSON: the wire carries them as U+FFFD, so describe them that way.
        private static string Describe(string method, Google.Protobuf.IMessage message)
        {
            try
            {
                return $"{method} {message}";
            }
            catch (ArgumentException)
            {
                return $"{method} (with a lone surrogate) {Convert.ToBase64String(Google.Protobuf.MessageExtensions.ToByteArray(message))}";
            }
        }

        private string Id() => random.Next(4) == 0 ? Mutate(Pick(Ids)) : Pick(Ids);

        private string Text(int max) => random.Next(4) switch
        {
            0 => "fine",
            1 => new string('x', random.Next(max - 10, max + 10)),
            _ => Mutate("title"),
        };

        private string Mutate(string text)
        {
            var builder = new StringBuilder(text);
            for (var i = random.Next(0, 4); i > 0; i--)
            {
                var at = builder.Length == 0 ? 0 : random.Next(builder.Length);
                switch (random.Next(3))
                {
                    case 0:
                        builder.Insert(at, Hostile[random.Next(Hostile.Length)]);
                        break;
                    case 1 when builder.Length > 0:
                        builder.Remove(at, 1);
                        break;
                    default:
                        builder.Insert(at, Hostile[random.Next(Hostile.Length)].ToString(), random.Next(1, 3));
                        break;
                }
            }

            return builder.ToString();
        }

        private T Pick<T>(T[] items) => items[random.Next(items.Length)];
    }
}
