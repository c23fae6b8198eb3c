using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// Keeps the README true: replays its grpcurl session against a real server the way grpcurl does (reflection
/// names, JSON requests), and checks the reasons its comments promise.
/// </summary>
public sealed partial class ReadmeSessionTests : IAsyncLifetime
{
    private AuthzServer _server = null!;

    public async Task InitializeAsync() => _server = await AuthzServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

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

            var json = JsonPattern().Match(line) is { Success: true } d ? d.Groups[1].Value : "{}";
            var response = await InvokeAsync(method.Groups[1].Value, method.Groups[2].Value, json);
            if (ExpectPattern().Match(line) is { Success: true } expect)
            {
                var reason = (DecisionReason)response.Descriptor.FindFieldByName("reason").Accessor.GetValue(response);
                Assert.Equal(expect.Groups[1].Value, reason.GetType().GetField(reason.ToString())!
                    .GetCustomAttributes(typeof(OriginalNameAttribute), false).Cast<OriginalNameAttribute>().Single().Name);
            }
        }
    }

    private async Task<IMessage> InvokeAsync(string service, string methodName, string json)
    {
        var descriptor = new[] { AuthorizationService.Descriptor, AdminService.Descriptor, global::Grpc.Health.V1.Health.Descriptor }
            .Single(s => s.FullName == service).FindMethodByName(methodName);
        Assert.NotNull(descriptor);
        var request = JsonParser.Default.Parse(json, descriptor.InputType);
        var method = new Method<IMessage, IMessage>(
            MethodType.Unary,
            service,
            methodName,
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => descriptor.InputType.Parser.ParseFrom(bytes)),
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => descriptor.OutputType.Parser.ParseFrom(bytes)));
        return await _server.Channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), request);
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

    [GeneratedRegex(@"# expect: (\w+)")]
    private static partial Regex ExpectPattern();
}
