namespace Qbee.Authz.Service.Checks;

internal static class ChecksServiceCollectionExtensions
{
    /// <summary>The read side: the check engine, the scope queries, ListDeviceUsers and the user resolver they share.</summary>
    public static IServiceCollection AddChecks(this IServiceCollection services)
    {
        services.AddSingleton<UserResolver>();
        services.AddSingleton<CheckEngine>();
        services.AddSingleton<ScopeQueries>();
        services.AddSingleton<DeviceUserQueries>();
        return services;
    }
}
