namespace Qbee.Authz.Service.Admin;

internal static class AdminServiceCollectionExtensions
{
    /// <summary>The write side: the admin commands (and their dry runs), the account import, and the status GetStatus reports.</summary>
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddSingleton<AdminCommands>();
        services.AddSingleton<DryRunner>();
        services.AddSingleton<AccountImports>();
        services.AddSingleton<ServiceStatus>();
        return services;
    }
}
