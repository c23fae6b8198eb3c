using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.UnitTests.Domain;

public sealed class PermissionCatalogTests
{
    // Written from users-and-roles.txt: the permission table plus remote-access:connect and metrics:read.
    private static readonly string[] DocumentedNames =
    [
        "analysis:read", "audit:read", "billing:read", "billing:manage", "bootstrap-keys:read",
        "bootstrap-keys:manage", "company:read", "company:manage", "configuration:read", "configuration:manage",
        "cve:read", "cve:manage", "device:read", "device:manage", "device:approve", "files:read", "files:manage",
        "inventory:read", "remote-access:manage", "reports:acknowledge", "reports:read", "roles:read",
        "roles:manage", "users:read", "users:manage", "remote-access:connect", "metrics:read",
    ];

    private static readonly string[] Restrictable =
    [
        "device:read", "device:manage", "remote-access:connect", "remote-access:manage", "reports:read", "reports:acknowledge",
    ];

    [Fact]
    public void CanonicalNames_Always_AreTheDocumented27()
    {
        Assert.Equal(27, DocumentedNames.Distinct().Count());
        Assert.Equal(27, PermissionCatalog.Count);
        Assert.Equal(DocumentedNames.Order(StringComparer.Ordinal), PermissionCatalog.CanonicalNames.Order(StringComparer.Ordinal));
        Assert.Equal(27, PermissionCatalog.All.Distinct().Count());
    }

    public static TheoryData<string> AllDocumentedNames() => new(DocumentedNames);

    [Theory]
    [MemberData(nameof(AllDocumentedNames))]
    public void TryResolve_DocumentedName_RoundTripsToItsName(string name)
    {
        Assert.True(PermissionCatalog.TryResolve(name, out var permission));
        Assert.Equal(name, PermissionCatalog.NameOf(permission));
        Assert.Equal(permission, PermissionCatalog.Require(name, "permission"));
    }

    [Fact]
    public void IsRestrictable_AllPermissions_ExactlyTheDocumentedSix()
    {
        var restrictable = PermissionCatalog.All.Where(PermissionCatalog.IsRestrictable).Select(PermissionCatalog.NameOf);
        Assert.Equal(Restrictable.Order(StringComparer.Ordinal), restrictable.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TryResolve_MarkReadAlias_ResolvesToAcknowledge()
    {
        Assert.True(PermissionCatalog.TryResolve("reports:markread", out var alias));
        Assert.True(PermissionCatalog.TryResolve("reports:acknowledge", out var canonical));
        Assert.Equal(canonical, alias);
        Assert.Equal("reports:acknowledge", PermissionCatalog.NameOf(alias));
        Assert.True(PermissionCatalog.IsRestrictable(alias));
        Assert.DoesNotContain("reports:markread", PermissionCatalog.CanonicalNames);
    }

    [Theory]
    [InlineData("")]
    [InlineData("device")]
    [InlineData("device:write")]
    [InlineData("Device:Read")]
    [InlineData("DEVICE:READ")]
    [InlineData("device:read ")]
    [InlineData(" device:read")]
    [InlineData("Reports:MarkRead")]
    [InlineData("remote_access:connect")]
    [InlineData("metrics:manage")]
    public void TryResolve_UnknownOrWrongCase_DoesNotResolve(string name)
    {
        Assert.False(PermissionCatalog.TryResolve(name, out _));
    }

    [Fact]
    public void TryResolve_Null_DoesNotResolve()
    {
        Assert.False(PermissionCatalog.TryResolve(null, out _));
    }

    [Theory]
    [InlineData("Device:Read", "unknown permission 'Device:Read' (did you mean 'device:read'?)")]
    [InlineData("device:raed", "unknown permission 'device:raed' (did you mean 'device:read'?)")]
    [InlineData("remote-access:conect", "unknown permission 'remote-access:conect' (did you mean 'remote-access:connect'?)")]
    [InlineData("nope", "unknown permission 'nope'")]
    [InlineData("", "is required")]
    public void Require_Invalid_ThrowsNamingTheField(string name, string reason)
    {
        var e = Assert.Throws<InvalidFieldException>(() => PermissionCatalog.Require(name, "checks[3].permission"));
        Assert.Equal("checks[3].permission", e.Field);
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("device")]
    [InlineData("tenant:admin")]
    public void Closest_FarFromEveryName_SuggestsNothing(string name)
    {
        Assert.Null(PermissionCatalog.Closest(name));
    }
}
