using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// Keeps the README true: replays its grpcurl session against a real server the way grpcurl does (reflection
/// names, JSON requests), and checks the reasons its comments promise. Streams as grpcurl runs them: a server stream
/// is read to its end (or, with <c>-max-time N</c>, for N seconds, which ends an endless one without failing); a
/// client stream sends the JSON objects of <c>-d @</c>, read from <c>&lt; file</c>; <c>&gt; file</c> writes every
/// response as JSON, one object after the other, in a folder of the test's own.
/// </summary>
public sealed partial class ReadmeSessionTests : IAsyncLifetime
{
    private static readonly JsonFormatter Output = new(JsonFormatter.Settings.Default.WithIndentation());
    private AuthzServer _server = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthzServer.StartAsync();
        _directory = Directory.CreateTempSubdirectory("qbee-authz-readme-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ReadmeGrpcurlSession_EveryLineSucceeds_WithTheExpectedReasons()
    {
        var lines = ReadSession();
        Assert.True(lines.Count >= 10, $"the README session has {lines.Count} grpcurl lines");

        foreach (var line in lines)
        {
            var method = MethodPattern().Match(line);
            if (!method.Success)
            {
                Assert.EndsWith(" list", line);
                continue;
            }

            var responses = await InvokeAsync(method.Groups[1].Value, method.Groups[2].Value, line);
            if (ExpectPattern().Match(line) is { Success: true } expect)
            {
                var response = Assert.Single(responses);
                var reason = (DecisionReason)response.Descriptor.FindFieldByName("reason").Accessor.GetValue(response);
                Assert.Equal(expect.Groups[1].Value, reason.GetType().GetField(reason.ToString())!
                    .GetCustomAttributes(typeof(OriginalNameAttribute), false).Cast<OriginalNameAttribute>().Single().Name);
            }
        }
    }

    [Fact]
    public async Task Replay_ServerStreamToAFileThenClientStreamFromIt_RoundTripsTheMessages()
    {
        await _server.Admin.CreateAccountAsync(Fleet.Account("acme", "alice"));

        var exported = await InvokeAsync(
            "qbee.authz.v1.AdminService", "ExportAccount", """grpcurl -plaintext -d '{"account_id":"acme","replace":true}' 127.0.0.1:50051 qbee.authz.v1.AdminService/ExportAccount > acme.json""");
        var imported = await InvokeAsync(
            "qbee.authz.v1.AdminService", "ImportAccount", "grpcurl -plaintext -d @ 127.0.0.1:50051 qbee.authz.v1.AdminService/ImportAccount < acme.json");

        Assert.True(exported.Count > 3);
        Assert.Equal(exported.Count, ReadMessages(File.ReadAllText(Path.Combine(_directory, "acme.json")), AccountRecord.Descriptor).Count);
        Assert.Equal(2ul, ((ImportAccountResponse)Assert.Single(imported)).Revision);
    }

    [Fact]
    public async Task Replay_MaxTimeOnAStreamThatDoesNotEnd_EndsItWithoutFailing()
    {
        await _server.Admin.CreateAccountAsync(Fleet.Account("acme", "alice"));
        var started = TimeProvider.System.GetTimestamp();

        var events = await InvokeAsync(
            "qbee.authz.v1.AuthorizationService", "WatchRevocations", """grpcurl -plaintext -max-time 1 -d '{"account_id":"acme"}' 127.0.0.1:50051 qbee.authz.v1.AuthorizationService/WatchRevocations""");

        Assert.Empty(events);
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromSeconds(1));
    }

    /// <summary>Runs one line as grpcurl would and returns the responses, after writing them to its <c>&gt; file</c>.</summary>
    private async Task<List<IMessage>> InvokeAsync(string service, string methodName, string line)
    {
        var descriptor = new[] { AuthorizationService.Descriptor, AdminService.Descriptor, global::Grpc.Health.V1.Health.Descriptor }
            .Single(s => s.FullName == service).FindMethodByName(methodName);
        Assert.NotNull(descriptor);

        // Redirections and options are read outside the quoted JSON and before the comment.
        var shell = JsonPattern().Replace(line.Split(" # ")[0], "''");
        var requests = JsonPattern().Match(line) is { Success: true } d
            ? [JsonParser.Default.Parse(d.Groups[1].Value, descriptor.InputType)]
            : StdinPattern().IsMatch(shell)
                ? ReadMessages(File.ReadAllText(FileOf(shell, InputPattern(), "-d @ reads its messages from < file")), descriptor.InputType)
                : [JsonParser.Default.Parse("{}", descriptor.InputType)];
        var maxTime = MaxTimePattern().Match(shell) is { Success: true } m ? TimeSpan.FromSeconds(double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)) : (TimeSpan?)null;
        var type = (descriptor.IsClientStreaming, descriptor.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (false, true) => MethodType.ServerStreaming,
            (true, false) => MethodType.ClientStreaming,
            _ => MethodType.DuplexStreaming,
        };
        var method = new Method<IMessage, IMessage>(
            type,
            service,
            methodName,
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => descriptor.InputType.Parser.ParseFrom(bytes)),
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => descriptor.OutputType.Parser.ParseFrom(bytes)));
        using var timeout = new CancellationTokenSource(maxTime ?? TimeSpan.FromMinutes(1));
        var options = new CallOptions(cancellationToken: timeout.Token);
        var invoker = _server.Channel.CreateCallInvoker();
        var responses = new List<IMessage>();
        try
        {
            switch (type)
            {
                case MethodType.Unary:
                    responses.Add(await invoker.AsyncUnaryCall(method, null, options, Assert.Single(requests)));
                    break;
                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(method, null, options, Assert.Single(requests)))
                    {
                        await foreach (var response in call.ResponseStream.ReadAllAsync(timeout.Token))
                        {
                            responses.Add(response);
                        }
                    }

                    break;
                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(method, null, options))
                    {
                        foreach (var request in requests)
                        {
                            await call.RequestStream.WriteAsync(request, timeout.Token);
                        }

                        await call.RequestStream.CompleteAsync();
                        responses.Add(await call.ResponseAsync);
                    }

                    break;
                default:
                    Assert.Fail($"{line}: the session has no bidirectional streams");
                    break;
            }
        }
        catch (Exception e) when (maxTime is not null && timeout.IsCancellationRequested
            && (e is OperationCanceledException || e is RpcException { StatusCode: StatusCode.Cancelled or StatusCode.DeadlineExceeded }))
        {
            // -max-time: the stream ran its time; what came before is the answer.
        }

        if (OutputPattern().IsMatch(shell))
        {
            await File.WriteAllTextAsync(FileOf(shell, OutputPattern(), "> file"), string.Concat(responses.Select(r => Output.Format(r) + "\n")));
        }

        return responses;
    }

    private string FileOf(string shell, Regex pattern, string what)
    {
        var match = pattern.Match(shell);
        Assert.True(match.Success, $"{shell}: {what}");
        return Path.Combine(_directory, match.Groups[1].Value);
    }

    /// <summary>JSON objects one after the other, as grpcurl's <c>-d @</c> reads them (and as it prints a stream).</summary>
    private static List<IMessage> ReadMessages(string text, MessageDescriptor type)
    {
        var messages = new List<IMessage>();
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            messages.Add(JsonParser.Default.Parse(Encoding.UTF8.GetString(bytes, start, (int)reader.BytesConsumed - start), type));
        }

        return messages;
    }

    private static List<string> ReadSession()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "README.md")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var text = File.ReadAllText(Path.Combine(directory.FullName, "README.md"));
        var start = text.IndexOf("<!-- grpcurl-session -->", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README has no grpcurl session marker");
        var block = text[start..].Split("```")[1];
        return block.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("grpcurl ", StringComparison.Ordinal)).ToList();
    }

    [GeneratedRegex(@" 127\.0\.0\.1:50051 ([\w.]+)/(\w+)")]
    private static partial Regex MethodPattern();

    [GeneratedRegex(@"-d '([^']*)'")]
    private static partial Regex JsonPattern();

    [GeneratedRegex(@" -d @ ")]
    private static partial Regex StdinPattern();

    [GeneratedRegex(@" < (\S+)")]
    private static partial Regex InputPattern();

    [GeneratedRegex(@" > (\S+)")]
    private static partial Regex OutputPattern();

    [GeneratedRegex(@" -max-time (\d+(?:\.\d+)?) ")]
    private static partial Regex MaxTimePattern();

    [GeneratedRegex(@"# expect: (\w+)")]
    private static partial Regex ExpectPattern();
}
