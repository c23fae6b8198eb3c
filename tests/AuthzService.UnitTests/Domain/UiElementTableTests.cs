using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.UnitTests.Domain;

public sealed class UiElementTableTests
{
    /// <summary>Every row of the UI table of users-and-roles.txt, permissions separated by ','.</summary>
    public static TheoryData<string, string> DocumentedRows() => new()
    {
        { "Dashboard", "analysis:read,device:read,inventory:read,metrics:read,reports:read" },
        { "Devices", "cve:read,device:read,inventory:read,reports:read" },
        { "Devices → Pending hosts", "device:approve" },
        { "Devices → Update attributes & Delete", "device:manage" },
        { "Devices → Show configuration", "configuration:read" },
        { "Device → Connect to console", "remote-access:connect" },
        { "Configure", "configuration:read,device:read" },
        { "Configure → Modify", "configuration:manage" },
        { "Configure → File selector", "files:read" },
        { "Configure → User & Ports Popups", "inventory:read" },
        { "Files manager", "files:read" },
        { "Files manager → Write access", "files:manage" },
        { "Logs", "reports:read" },
        { "Logs → Mark as read", "reports:acknowledge" },
        { "Map", "inventory:read" },
        { "Audit", "audit:read" },
        { "Audit → Show reports", "reports:read" },
        { "CVE", "cve:read" },
        { "CVE → Manage", "cve:manage" },
        { "Remote console", "device:read,inventory:read,remote-access:connect" },
        { "Remote console → Manage", "remote-access:manage" },
        { "Analysis", "analysis:read,device:read" },
        { "Bootstrap Keys", "bootstrap-keys:read,device:read" },
        { "Bootstrap Keys → Manage", "bootstrap-keys:manage" },
        { "Company", "company:read" },
        { "Company → Manage", "company:manage" },
        { "Users", "users:read" },
        { "Users → Manage", "roles:read,users:manage" },
        { "Roles", "roles:read" },
        { "Roles → Manage", "roles:manage" },
        { "Order subscription", "billing:read" },
        { "Order subscription → Manage", "billing:manage" },
    };

    [Theory]
    [MemberData(nameof(DocumentedRows))]
    public void Elements_DocumentedElement_NeedsExactlyItsPermissions(string name, string permissions)
    {
        var element = Assert.Single(UiElementTable.Elements, e => e.Name == name);
        var expected = permissions.Split(',').Order(StringComparer.Ordinal);
        Assert.Equal(expected, element.Permissions.Select(PermissionCatalog.NameOf).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Elements_Always_ExactlyTheDocumentedElements()
    {
        var documented = DocumentedRows().Select(r => (string)r[0]).ToList();
        Assert.Equal(32, documented.Count);
        Assert.Equal(documented.Order(StringComparer.Ordinal), UiElementTable.Elements.Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Elements_Always_NoDuplicatePermissionsWithinAnElement()
    {
        Assert.All(UiElementTable.Elements, e => Assert.Equal(e.Permissions.Count, e.Permissions.Distinct().Count()));
    }
}
