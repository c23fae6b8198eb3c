namespace Qbee.Authz.Service.Domain;

/// <summary>The UI elements of users-and-roles.txt and the permissions each needs: all of them.</summary>
internal static class UiElementTable
{
    public static readonly IReadOnlyList<UiElement> Elements =
    [
        new("Dashboard", [Permission.AnalysisRead, Permission.DeviceRead, Permission.InventoryRead, Permission.MetricsRead, Permission.ReportsRead]),
        new("Devices", [Permission.CveRead, Permission.DeviceRead, Permission.InventoryRead, Permission.ReportsRead]),
        new("Devices → Pending hosts", [Permission.DeviceApprove]),
        new("Devices → Update attributes & Delete", [Permission.DeviceManage]),
        new("Devices → Show configuration", [Permission.ConfigurationRead]),
        new("Device → Connect to console", [Permission.RemoteAccessConnect]),
        new("Configure", [Permission.ConfigurationRead, Permission.DeviceRead]),
        new("Configure → Modify", [Permission.ConfigurationManage]),
        new("Configure → File selector", [Permission.FilesRead]),
        new("Configure → User & Ports Popups", [Permission.InventoryRead]),
        new("Files manager", [Permission.FilesRead]),
        new("Files manager → Write access", [Permission.FilesManage]),
        new("Logs", [Permission.ReportsRead]),
        new("Logs → Mark as read", [Permission.ReportsAcknowledge]),
        new("Map", [Permission.InventoryRead]),
        new("Audit", [Permission.AuditRead]),
        new("Audit → Show reports", [Permission.ReportsRead]),
        new("CVE", [Permission.CveRead]),
        new("CVE → Manage", [Permission.CveManage]),
        new("Remote console", [Permission.DeviceRead, Permission.InventoryRead, Permission.RemoteAccessConnect]),
        new("Remote console → Manage", [Permission.RemoteAccessManage]),
        new("Analysis", [Permission.AnalysisRead, Permission.DeviceRead]),
        new("Bootstrap Keys", [Permission.BootstrapKeysRead, Permission.DeviceRead]),
        new("Bootstrap Keys → Manage", [Permission.BootstrapKeysManage]),
        new("Company", [Permission.CompanyRead]),
        new("Company → Manage", [Permission.CompanyManage]),
        new("Users", [Permission.UsersRead]),
        new("Users → Manage", [Permission.RolesRead, Permission.UsersManage]),
        new("Roles", [Permission.RolesRead]),
        new("Roles → Manage", [Permission.RolesManage]),
        new("Order subscription", [Permission.BillingRead]),
        new("Order subscription → Manage", [Permission.BillingManage]),
    ];
}

/// <summary>A UI element is shown when the user holds every one of its permissions.</summary>
internal sealed record UiElement(string Name, IReadOnlyList<Permission> Permissions);
