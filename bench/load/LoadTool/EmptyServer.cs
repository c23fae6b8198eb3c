using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qbee.Authz.V1;

namespace Qbee.Authz.LoadTool;

/// <summary>
/// The limit the service is measured against: a Kestrel + AddGrpc() server with nothing else (no interceptors,
/// no reflection, no health, no telemetry), the service's contract answered with constants: <c>Ping</c> with an
/// empty reply (the truly empty unary handler), <c>Check</c> with the granted reply the real service gave
/// (request and reply parsed and written as the real ones are, and the same DATA bytes for the harness's check).
/// </summary>
internal static class EmptyServer
{
    public static async Task<int> RunAsync(string url, string bodies)
    {
        var granted = CheckResponse.Parser.ParseFrom(await File.ReadAllBytesAsync(Path.Combine(bodies, "check-granted.reply")));
        var builder = WebApplication.CreateBuilder();
        // Logging as the harness runs the service: Warning, and no per-request Activity and log scope from the
        // hosting diagnostics (off in the service unless OTLP traces are on), so neither side pays them.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(e => e.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new ConstantAnswers(granted));
        var app = builder.Build();
        app.MapGrpcService<EmptyAuthorization>();
        await app.RunAsync();
        return 0;
    }

    internal sealed class ConstantAnswers(CheckResponse granted)
    {
        public Task<CheckResponse> Granted { get; } = Task.FromResult(granted);

        public Task<PingResponse> Pong { get; } = Task.FromResult(new PingResponse());
    }

    /// <summary>Created per call, as a plain grpc-dotnet service is.</summary>
    private sealed class EmptyAuthorization(ConstantAnswers answers) : AuthorizationService.AuthorizationServiceBase
    {
        public override Task<PingResponse> Ping(PingRequest request, ServerCallContext context) => answers.Pong;

        public override Task<CheckResponse> Check(CheckRequest request, ServerCallContext context) => answers.Granted;
    }
}
