using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Connection;

/// <summary>One channel to the service for one command, every call carrying the bearer token when there is one.</summary>
internal sealed class ServiceConnection : IDisposable
{
    // A unary call that hangs this long is a service in trouble; streams (export, import, audit tail) have none.
    private static readonly TimeSpan UnaryTimeout = TimeSpan.FromSeconds(30);

    private readonly GrpcChannel _channel;

    public ServiceConnection(Uri address, string? token)
    {
        Address = address;
        _channel = GrpcChannel.ForAddress(address);
        CallInvoker invoker = _channel.CreateCallInvoker();
        if (token is not null)
        {
            var header = $"Bearer {token}";
            invoker = invoker.Intercept(metadata =>
            {
                metadata.Add("authorization", header);
                return metadata;
            });
        }

        Admin = new AdminService.AdminServiceClient(invoker);
        Authz = new AuthorizationService.AuthorizationServiceClient(invoker);
    }

    public Uri Address { get; }

    public AdminService.AdminServiceClient Admin { get; }

    public AuthorizationService.AuthorizationServiceClient Authz { get; }

    public static DateTime UnaryDeadline => DateTime.UtcNow + UnaryTimeout;

    public void Dispose() => _channel.Dispose();
}
