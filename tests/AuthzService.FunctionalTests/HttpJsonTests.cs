using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Api;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Qbee.Authz.V1;
using TokenCommand = Qbee.Authz.Service.Security.TokenCommand;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// HTTP/JSON (gRPC JSON transcoding) against the real server: the same answers as gRPC, the same tokens and scopes,
/// errors as google.rpc.Status JSON with the HTTP status of their gRPC code, streams as JSON objects one after the
/// other, the OpenAPI document, and the HTTP/1.1 listener of Authz:Http:Urls.
/// </summary>
public sealed partial class HttpJsonTests : IAsyncLifetime
{
    private const string Acme = "acme";
    private static readonly string Web1 = Fleet.DeviceId(1);
    private static readonly (string Token, string Hash) Gateway = TokenCommand.NewToken();
    private static readonly (string Token, string Hash) Ops = TokenCommand.NewToken();

    private static readonly Dictionary<string, string?> Callers = new()
    {
        ["Authz:Callers:0:Name"] = "gateway",
        ["Authz:Callers:0:TokenSha256"] = Gateway.Hash,
        ["Authz:Callers:0:Scopes:0"] = "check",
        ["Authz:Callers:1:Name"] = "ops",
        ["Authz:Callers:1:TokenSha256"] = Ops.Hash,
        ["Authz:Callers:1:Scopes:0"] = "admin",
        ["Authz:Callers:1:Scopes:1"] = "check",
    };

    private AuthzServer _server = null!;
    private HttpClient _http = null!;

    private static Metadata AsOps => new() { { "authorization", $"Bearer {Ops.Token}" } };

    public async Task InitializeAsync()
    {
        var port = FreePort();
        _server = await AuthzServer.StartAsync(new Dictionary<string, string?>(Callers) { ["Authz:Http:Urls"] = $"http://127.0.0.1:{port}" });
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await _server.Admin.CreateAccountAsync(Fleet.Account(Acme, "olivia"), AsOps);
        await _server.Admin.PutNodeAsync(new PutNodeRequest { Node = Fleet.Device(Acme, Web1, "", "nginx") }, AsOps);
        await _server.Admin.PutRoleAsync(new PutRoleRequest { Role = Fleet.Role(Acme, "support", ("device:read", ["tag:nginx"])) }, AsOps);
        await _server.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "bob", "support") }, AsOps);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("device:read")]
    [InlineData("device:manage")]
    public async Task Check_OverHttp_AnswersWhatGrpcAnswers(string permission)
    {
        var request = new CheckRequest { UserId = "bob", Permission = permission, DeviceId = Web1 };
        var overGrpc = await _server.Authz.CheckAsync(request, AsOps);

        var response = await SendAsync(HttpMethod.Post, "/v1/check", Gateway.Token, $$"""{"user_id":"bob","permission":"{{permission}}","device_id":"{{Web1}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var overHttp = JsonParser.Default.Parse<CheckResponse>(await response.Content.ReadAsStringAsync());
        Assert.Equal(overGrpc, overHttp);
        Assert.Equal(permission == "device:read", overHttp.Allowed);
    }

    [Fact]
    public async Task Check_OverHttp_WritesProtobufJson_CamelCaseNamesEnumNamesDefaultsAndInt64AsStrings()
    {
        var response = await SendAsync(HttpMethod.Post, "/v1/check", Gateway.Token, """{"userId":"bob","permission":"device:manage"}""");

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(json.RootElement.GetProperty("allowed").GetBoolean());
        Assert.Equal("DECISION_REASON_PERMISSION_NOT_GRANTED", json.RootElement.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("revision").ValueKind);
        Assert.Equal(string.Empty, json.RootElement.GetProperty("roleId").GetString());
    }

    [Fact]
    public async Task Check_OverHttp2OnTheGrpcPort_IsAnsweredToo()
    {
        using var h2c = new HttpClient();
        using var request = Request(HttpMethod.Post, $"{_server.Address}/v1/check", Gateway.Token, """{"user_id":"bob","permission":"device:read"}""");
        (request.Version, request.VersionPolicy) = (HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact); // h2c, prior knowledge

        var response = await h2c.SendAsync(request);

        Assert.True(HttpStatusCode.OK == response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.True(JsonParser.Default.Parse<CheckResponse>(await response.Content.ReadAsStringAsync()).Allowed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task Check_WithoutAKnownToken_Is401_WithAStatusBody(string? token)
    {
        var response = await SendAsync(HttpMethod.Post, "/v1/check", token, """{"user_id":"bob","permission":"device:read"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var status = await StatusOf(response);
        Assert.Equal((int)StatusCode.Unauthenticated, status.Code);
        Assert.Contains(token is null ? "bearer token is required" : "not one of a configured caller", status.Message);
    }

    [Fact]
    public async Task AdminWrite_WithACheckOnlyToken_Is403_AndChangesNothing()
    {
        var before = (await _server.Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme }, AsOps)).Revision;

        var response = await SendAsync(HttpMethod.Put, "/v1/accounts/acme/roles/ops", Gateway.Token, """{"name":"Ops","policies":[{"permission":"device:read"}]}""");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var status = await StatusOf(response);
        Assert.Equal((int)StatusCode.PermissionDenied, status.Code);
        Assert.Contains("'admin'", status.Message);
        Assert.Equal(before, (await _server.Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme }, AsOps)).Revision);
    }

    [Fact]
    public async Task PutRole_OverHttp_TakesTheIdsFromThePath_AndIsSeenOverGrpc()
    {
        var response = await SendAsync(HttpMethod.Put, "/v1/accounts/acme/roles/ops", Ops.Token,
            """{"name":"Ops","policies":[{"permission":"device:manage","resources":["tag:nginx"]}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var written = JsonParser.Default.Parse<PutRoleResponse>(await response.Content.ReadAsStringAsync());
        Assert.Equal(("acme", "ops"), (written.Role.AccountId, written.Role.RoleId));
        var roles = await _server.Admin.ListRolesAsync(new ListRolesRequest { AccountId = Acme }, AsOps);
        Assert.Equal(written.Revision, roles.Revision);
        Assert.Equal("device:manage", Assert.Single(roles.Roles, r => r.RoleId == "ops").Policies.Single().Permission);
    }

    [Fact]
    public async Task DryRun_FromTheQueryString_ChangesNothing()
    {
        var before = (await _server.Admin.ListUsersAsync(new ListUsersRequest { AccountId = Acme }, AsOps)).Revision;

        var response = await SendAsync(HttpMethod.Delete, "/v1/accounts/acme/users/bob?dry_run=true", Ops.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonParser.Default.Parse<DeleteUserResponse>(await response.Content.ReadAsStringAsync());
        Assert.Equal("bob", Assert.Single(answer.Impact.Users).UserId);
        Assert.Equal(before, (await _server.Admin.ListUsersAsync(new ListUsersRequest { AccountId = Acme }, AsOps)).Revision);
    }

    [Fact]
    public async Task BadField_Is400_NamingTheField()
    {
        var response = await SendAsync(HttpMethod.Post, "/v1/check", Gateway.Token, """{"user_id":"bob bob","permission":"device:read"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var status = await StatusOf(response);
        Assert.Equal((int)StatusCode.InvalidArgument, status.Code);
        Assert.StartsWith("user_id:", status.Message);
    }

    [Fact]
    public async Task UnknownAccount_Is404()
    {
        var response = await SendAsync(HttpMethod.Get, "/v1/accounts/nobody/roles", Ops.Token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var status = await StatusOf(response);
        Assert.Equal((int)StatusCode.NotFound, status.Code);
        Assert.Contains("nobody", status.Message);
    }

    [Fact]
    public async Task ListDeviceUsers_ReadsNestedFieldsFromTheQueryString()
    {
        var response = await SendAsync(HttpMethod.Get, $"/v1/devices/{Web1}/users?permission=device:read&page_size=1", Gateway.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonParser.Default.Parse<ListDeviceUsersResponse>(await response.Content.ReadAsStringAsync());
        Assert.Equal("bob", Assert.Single(answer.Users).UserId);
        Assert.NotEmpty(answer.NextPageToken);
    }

    [Fact]
    public async Task ExportAccount_OverHttp_StreamsTheRecordsGrpcStreams()
    {
        var overGrpc = new List<AccountRecord>();
        using (var call = _server.Admin.ExportAccount(new ExportAccountRequest { AccountId = Acme }, AsOps))
        {
            await foreach (var record in call.ResponseStream.ReadAllAsync())
            {
                overGrpc.Add(record);
            }
        }

        var response = await SendAsync(HttpMethod.Get, "/v1/accounts/acme:export", Ops.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(overGrpc, ReadMessages<AccountRecord>(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task WatchAuditEvents_OverHttp_StreamsEachEventAsItCommits()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = Request(HttpMethod.Get, "/v1/accounts/acme/auditEvents:watch?after_event_id=0", Ops.Token);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        await _server.Admin.PutUserAsync(new PutUserRequest { User = Fleet.User(Acme, "carol") }, AsOps);

        var events = new List<AuditEvent>();
        var text = new StringBuilder();
        while (!events.Any(e => e.Kind == "admin.put_user" && e.Detail.Contains("carol", StringComparison.Ordinal)))
        {
            var line = await reader.ReadLineAsync(timeout.Token);
            Assert.NotNull(line); // the stream does not end by itself
            events = ReadMessages<AuditEvent>(text.AppendLine(line).ToString());
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("admin.create_account", events[0].Kind);
    }

    [Fact]
    public async Task WatchAuditEvents_OverHttp_ErrorAfterTheStreamStarted_IsItsLastObjectUnderHttp200()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = Request(HttpMethod.Get, "/v1/accounts/acme/auditEvents:watch?after_event_id=0", Ops.Token);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var text = new StringBuilder();
        while (ReadMessages<AuditEvent>(text.ToString()) is not [{ Kind: "admin.create_account" }, ..])
        {
            var line = await reader.ReadLineAsync(timeout.Token);
            Assert.NotNull(line); // the stream does not end by itself
            text.AppendLine(line);
        }

        // The service starts stopping: the watch ends UNAVAILABLE, long after its HTTP status went out.
        _server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        text.Append(await reader.ReadToEndAsync(timeout.Token));
        var objects = JsonObjects(text.ToString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("admin.create_account", JsonParser.Default.Parse<AuditEvent>(objects[0]).Kind);
        var status = JsonParser.Default.Parse<Google.Rpc.Status>(objects[^1]);
        Assert.Equal((int)StatusCode.Unavailable, status.Code);
        Assert.StartsWith("the service is stopping; resume with after_event_id ", status.Message, StringComparison.Ordinal);
        Assert.All(objects[..^1], o => JsonParser.Default.Parse<AuditEvent>(o)); // events until then, the error last
    }

    [Fact]
    public async Task ExportAccount_OverHttp_ErrorBeforeTheStreamStarted_IsTheHttpStatusOfItsCode()
    {
        var response = await SendAsync(HttpMethod.Get, "/v1/accounts/nobody:export", Ops.Token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var status = await StatusOf(response);
        Assert.Equal((int)StatusCode.NotFound, status.Code);
        Assert.Contains("nobody", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_ListsEveryAnnotatedRpc_WithItsProtoComment()
    {
        var response = await _http.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        var missing = new List<string>();
        foreach (var (method, rule) in HttpRules())
        {
            foreach (var (verb, path) in Bindings(rule))
            {
                // The document names path variables by their JSON names: {role.account_id} is {role.accountId}.
                var template = ProtoNamePattern().Replace(path, m => char.ToUpperInvariant(m.Groups[1].Value[0]).ToString());
                if (!paths.TryGetProperty(template, out var item) || !item.TryGetProperty(verb, out _))
                {
                    missing.Add($"{method.FullName}: {verb} {path}");
                }
            }
        }

        Assert.Empty(missing);
        var check = paths.GetProperty("/v1/check").GetProperty("post");
        Assert.Contains("May this user use this permission", check.GetProperty("summary").GetString());
        var export = paths.GetProperty("/v1/accounts/{accountId}:export").GetProperty("get");
        Assert.Contains("Streamed: each message as a JSON object", export.GetProperty("description").GetString());
        Assert.Contains("its last object, a google.rpc.Status, under HTTP 200", export.GetProperty("description").GetString());
        var revision = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("CheckResponse")
            .GetProperty("properties").GetProperty("revision");
        Assert.Equal("string", revision.GetProperty("type").GetString()); // as written: a 64-bit integer is a JSON string
    }

    [Fact]
    public async Task EveryRoute_ReachesItsMethod_AndAnswersJson()
    {
        var unreached = new List<string>();
        foreach (var (method, rule) in HttpRules())
        {
            foreach (var (verb, path) in Bindings(rule))
            {
                var url = PathVariablePattern().Replace(path, m => m.Groups[1].Value.Split('.')[^1] switch
                {
                    "user_id" => "bob",
                    "device_id" or "node_id" => Web1,
                    "role_id" => "support",
                    "tag" => "nginx",
                    _ => Acme,
                });
                using var request = Request(new HttpMethod(verb.ToUpperInvariant()), url, Ops.Token, verb is "post" or "put" ? "{}" : null);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                // Headers only: the watches do not end by themselves.
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);

                // A route nobody serves is a 404 or 405 without a body; the service always answers JSON.
                if (response.Content.Headers.ContentType?.MediaType != "application/json")
                {
                    unreached.Add($"{method.FullName}: {verb} {url} -> {(int)response.StatusCode}");
                }
            }
        }

        Assert.Empty(unreached);
    }

    [Fact]
    public async Task CreateAccount_Twice_Is409()
    {
        var response = await SendAsync(HttpMethod.Post, "/v1/accounts", Ops.Token,
            """{"account_id":"acme","name":"Again","owner":{"user_id":"olga","email":"olga@example.com"}}""");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal((int)StatusCode.AlreadyExists, (await StatusOf(response)).Code);
    }

    [Fact]
    public void EveryRpc_HasAnHttpRule_ButTheClientStream()
    {
        var unannotated = new[] { AuthorizationService.Descriptor, AdminService.Descriptor }
            .SelectMany(s => s.Methods)
            .Where(m => m.GetOptions()?.GetExtension(AnnotationsExtensions.Http) is null)
            .Select(m => m.Name);

        Assert.Equal(["ImportAccount"], unannotated);
        Assert.True(AdminService.Descriptor.FindMethodByName("ImportAccount").IsClientStreaming);
    }

    [Fact]
    public async Task GrpcOverTheHttpListener_IsRefused_ItSpeaksHttp1Only()
    {
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(_http.BaseAddress!);
        var client = new AuthorizationService.AuthorizationServiceClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.CheckAsync(new CheckRequest { UserId = "bob", Permission = "device:read" }, new Metadata { { "authorization", $"Bearer {Gateway.Token}" } }).ResponseAsync);

        Assert.NotEqual(StatusCode.OK, error.StatusCode);
    }

    [Theory]
    [InlineData("not a url", "is not a URL")]
    [InlineData("http://127.0.0.1:0", "needs a fixed port")]
    [InlineData("ftp://127.0.0.1:8080", "must be http:// or https://")]
    public async Task Start_WithABadHttpUrl_FailsNamingIt(string url, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            AuthzServer.StartAsync(new Dictionary<string, string?> { ["Authz:Http:Urls"] = url }));

        Assert.Contains("Authz:Http:Urls", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task Start_WithTheHttpUrlOnTheGrpcPort_FailsNamingIt()
    {
        var port = FreePort();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => AuthzServer.StartAsync(
            new Dictionary<string, string?> { ["Authz:Http:Urls"] = $"http://127.0.0.1:{port}" }, hooks: new ServerHooks($"http://127.0.0.1:{port}")));

        Assert.Contains($"port {port}", error.Message);
    }

    [Theory]
    [InlineData("rebound.example", false)]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1", true)]
    public async Task WithoutCallers_Http1WithANonLoopbackHost_Is403_AndChangesNothing(string host, bool answered)
    {
        // A browser page whose name was rebound to 127.0.0.1 reaches the listener with its own Host header.
        var port = FreePort();
        await using var server = await AuthzServer.StartAsync(new Dictionary<string, string?> { ["Authz:Http:Urls"] = $"http://127.0.0.1:{port}" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/accounts") { Content = new StringContent(JsonFormatter.Default.Format(Fleet.Account("evil", "eve")), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Host = $"{host}:{port}";

        var response = await http.SendAsync(request);

        Assert.Equal(answered ? HttpStatusCode.OK : HttpStatusCode.Forbidden, response.StatusCode);
        var status = await server.Admin.GetStatusAsync(new GetStatusRequest());
        Assert.Equal(answered, status.Accounts.Any(a => a.AccountId == "evil"));
    }

    [Fact]
    public async Task Start_WithoutCallers_AndAnHttpUrlOnAllInterfaces_Refuses()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            AuthzServer.StartAsync(new Dictionary<string, string?> { ["Authz:Http:Urls"] = $"http://0.0.0.0:{FreePort()}" }));

        Assert.Contains("Refusing to start", error.Message);
        Assert.Contains("0.0.0.0", error.Message);
    }

    [Fact]
    public async Task HttpUrl_BesideThePrometheusPort_BothSpeakHttp1()
    {
        var (httpPort, metricsPort) = (FreePort(), FreePort());
        await using var server = await AuthzServer.StartAsync(new Dictionary<string, string?>
        {
            ["Authz:Http:Urls"] = $"http://127.0.0.1:{httpPort}",
            ["Authz:Telemetry:PrometheusPort"] = $"{metricsPort}",
        });
        using var http = new HttpClient();

        var ping = await http.GetAsync($"http://127.0.0.1:{httpPort}/v1/ping");
        var metrics = await http.GetAsync($"http://127.0.0.1:{metricsPort}/metrics");

        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{httpPort}/metrics")).StatusCode);
    }

    /// <summary>(method, rule) of every RPC with a google.api.http rule.</summary>
    public static IEnumerable<(MethodDescriptor Method, HttpRule Rule)> HttpRules() =>
        new[] { AuthorizationService.Descriptor, AdminService.Descriptor }
            .SelectMany(s => s.Methods)
            .Select(m => (Method: m, Rule: m.GetOptions()?.GetExtension(AnnotationsExtensions.Http)))
            .Where(m => m.Rule is not null)
            .Select(m => (m.Method, m.Rule!));

    /// <summary>The verb and path of a rule and of its additional bindings.</summary>
    public static IEnumerable<(string Verb, string Path)> Bindings(HttpRule rule) =>
        rule.AdditionalBindings.Prepend(rule).Select(r => r.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => ("get", r.Get),
            HttpRule.PatternOneofCase.Post => ("post", r.Post),
            HttpRule.PatternOneofCase.Put => ("put", r.Put),
            HttpRule.PatternOneofCase.Delete => ("delete", r.Delete),
            HttpRule.PatternOneofCase.Patch => ("patch", r.Patch),
            _ => throw new InvalidOperationException($"unexpected pattern {r.PatternCase}"),
        });

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, string? json = null)
    {
        using var request = Request(method, path, token, json);
        return await _http.SendAsync(request);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? token, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    private static async Task<Google.Rpc.Status> StatusOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonParser.Default.Parse<Google.Rpc.Status>(await response.Content.ReadAsStringAsync());
    }

    /// <summary>JSON objects one after the other: a transcoded server stream.</summary>
    private static List<T> ReadMessages<T>(string text) where T : IMessage<T>, new() =>
        [.. JsonObjects(text).Select(JsonParser.Default.Parse<T>)];

    /// <summary>The complete JSON objects of a stream read so far, each as its text.</summary>
    private static List<string> JsonObjects(string text)
    {
        var objects = new List<string>();
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
        try
        {
            while (reader.Read())
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                objects.Add(Encoding.UTF8.GetString(bytes, start, (int)reader.BytesConsumed - start));
            }
        }
        catch (JsonException)
        {
            // An object not yet complete: the stream is still being read.
        }

        return objects;
    }

    [GeneratedRegex(@"\{([\w.]+)\}")]
    private static partial Regex PathVariablePattern();

    [GeneratedRegex("_([a-z])")]
    private static partial Regex ProtoNamePattern();

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
