namespace Qbee.Authz.Service.Domain;

/// <summary>The 27 permissions of the catalogue, as small integers for the hot path.</summary>
/// <remarks>Names live in <see cref="PermissionCatalog"/>; the order here is the catalogue's order.</remarks>
internal enum Permission : byte
{
    AnalysisRead,
    AuditRead,
    BillingRead,
    BillingManage,
    BootstrapKeysRead,
    BootstrapKeysManage,
    CompanyRead,
    CompanyManage,
    ConfigurationRead,
    ConfigurationManage,
    CveRead,
    CveManage,
    DeviceRead,
    DeviceManage,
    DeviceApprove,
    FilesRead,
    FilesManage,
    InventoryRead,
    MetricsRead,
    RemoteAccessConnect,
    RemoteAccessManage,
    ReportsAcknowledge,
    ReportsRead,
    RolesRead,
    RolesManage,
    UsersRead,
    UsersManage,
}
