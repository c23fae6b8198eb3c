namespace Qbee.Authz.Service.Hosting;

/// <summary>Builds the service's WebApplication; the entry point and the functional tests share it.</summary>
internal static class AuthzApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddGrpc();
        var app = builder.Build();
        return app;
    }
}
