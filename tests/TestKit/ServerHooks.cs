using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;

namespace Qbee.Authz.TestKit;

/// <summary>
/// How a test server differs from the default: its URL, extra builder set-up, the channel's options, and a fault
/// injector (the calls it saw, the faults it injects) when the test needs one.
/// </summary>
public sealed record ServerHooks(
    string Url = "http://127.0.0.1:0",
    Action<WebApplicationBuilder>? Configure = null,
    GrpcChannelOptions? Channel = null,
    FaultInjector? Faults = null);
