using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.UnitTests.Domain;

public sealed class ApiCallTableTests
{
    private const string DeviceId = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
    private const string NodeId = "f6fb0cb4-496f-4c40-8a23-fa2f8d9a9074";
    private const string GroupId = "grp.berlin_1";
    private const string OtherId = "x-42";

    /// <summary>Every row of the API table of users-and-roles.txt, in its order ("gGET" read as GET).</summary>
    public static TheoryData<string, string, string> DocumentedRows() => new()
    {
        { "GET", "/analysis", "analysis:read" },
        { "POST", "/analysis", "analysis:read" },
        { "GET", "/analysis/orgstats", "analysis:read" },
        { "GET", "/commitlist", "audit:read" },
        { "GET", "/stripe/subscriptions", "billing:read" },
        { "POST", "/stripe/create-customer-portal", "billing:manage" },
        { "POST", "/stripe/create-checkout-session", "billing:manage" },
        { "DELETE", "/stripe/cancel-subscription/{uuid}", "billing:manage" },
        { "GET", "/bootstrapkey/{bootstrapkey_id}", "bootstrap-keys:read" },
        { "GET", "/bootstrapkeylist", "bootstrap-keys:read" },
        { "PUT", "/bootstrapkey/{bootstrap_key}", "bootstrap-keys:manage" },
        { "POST", "/bootstrapkey", "bootstrap-keys:manage" },
        { "DELETE", "/bootstrapkey/{bootstrap_key}", "bootstrap-keys:manage" },
        { "GET", "/company/{company_id}", "company:read" },
        { "PUT", "/company/{company_id}", "company:manage" },
        { "PATCH", "/company/{company_id}", "company:manage" },
        { "GET", "/change/{sha}", "configuration:read" },
        { "GET", "/changelist", "configuration:read" },
        { "GET", "/commit/{sha}", "configuration:read" },
        { "GET", "/config/{type}/{item_id}", "configuration:read" },
        { "GET", "/configpreview/{type}/{item_id}", "configuration:read" },
        { "GET", "/config/{device_id}", "configuration:read" },
        { "GET", "/configpreview/{node_id}", "configuration:read" },
        { "DELETE", "/changes", "configuration:manage" },
        { "DELETE", "/change/{sha}", "configuration:manage" },
        { "POST", "/change", "configuration:manage" },
        { "POST", "/commit", "configuration:manage" },
        { "GET", "/cve/{cve_id}", "cve:read" },
        { "GET", "/cvelist", "cve:read" },
        { "GET", "/cvescorestats", "cve:read" },
        { "GET", "/cve_hosts_max_count", "cve:read" },
        { "PATCH", "/cve/{cve_id}", "cve:manage" },
        { "GET", "/cve/status/cves", "cve:manage" },
        { "DELETE", "/cve/{cve_id}", "cve:manage" },
        { "GET", "/grouptree", "device:read" },
        { "GET", "/grouptree/{node_id}", "device:read" },
        { "GET", "/node/{node_id}", "device:read" },
        { "GET", "/groupreportssummary/{group_id}", "device:read" },
        { "GET", "/deviceattribute/{device_id}", "device:read" },
        { "GET", "/tagslist", "device:read" },
        { "PUT", "/grouptree", "device:manage" },
        { "PATCH", "/deviceattribute/{device_id}", "device:manage" },
        { "DELETE", "/inventory/{device_id}", "device:manage" },
        { "PATCH", "/grouptree/{node_id}", "device:manage" },
        { "POST", "/pendinghost", "device:approve" },
        { "GET", "/pendinghost", "device:approve" },
        { "DELETE", "/removeapprovedhost/{node_id}", "device:approve" },
        { "DELETE", "/pendinghost/{node_id}", "device:approve" },
        { "GET", "/file", "files:read" },
        { "GET", "/files", "files:read" },
        { "GET", "/file/stats", "files:read" },
        { "POST", "/file", "files:manage" },
        { "POST", "/file/createdir", "files:manage" },
        { "PATCH", "/file", "files:manage" },
        { "DELETE", "/file", "files:manage" },
        { "GET", "/inventory/{device_id}", "inventory:read" },
        { "GET", "/inventorylist", "inventory:read" },
        { "GET", "/inventory", "inventory:read" },
        { "GET", "/inventoryreport/{device_id}", "inventory:read" }, // documented as "gGET"
        { "GET", "/inventoryreport/docker/{device_id}", "inventory:read" },
        { "GET", "/inventorysummarybytype/{node_id}", "inventory:read" },
        { "GET", "/inventoryonlinestats", "inventory:read" },
        { "POST", "/qbee-connect/portmap", "remote-access:manage" },
        { "PATCH", "/qbee-connect/portmap", "remote-access:manage" },
        { "PATCH", "/reportmarkread", "reports:acknowledge" },
        { "GET", "/reportlist", "reports:read" },
        { "GET", "/reportsummary/{device_id}", "reports:read" },
        { "GET", "/role/{role_id}", "roles:read" },
        { "GET", "/roleslist", "roles:read" },
        { "GET", "/permissionslist", "roles:read" },
        { "POST", "/role", "roles:manage" },
        { "PUT", "/role/{role_id}", "roles:manage" },
        { "DELETE", "/role/{role_id}", "roles:manage" },
        { "GET", "/user/{user_id}", "users:read" },
        { "GET", "/userlist", "users:read" },
        { "POST", "/user", "users:manage" },
        { "PUT", "/user/{user_id}", "users:manage" },
        { "PATCH", "/user/{user_id}", "users:manage" },
        { "DELETE", "/user/{user_id}", "users:manage" },
    };

    private static string Fill(string template) => template
        .Replace("{device_id}", DeviceId, StringComparison.Ordinal)
        .Replace("{node_id}", NodeId, StringComparison.Ordinal)
        .Replace("{group_id}", GroupId, StringComparison.Ordinal)
        .Replace("{sha}", "9f86d08", StringComparison.Ordinal)
        .Replace("{type}", "users", StringComparison.Ordinal)
        .Replace("{item_id}", OtherId, StringComparison.Ordinal)
        .Replace("{cve_id}", "CVE-2024-3094", StringComparison.Ordinal)
        .Replace("{uuid}", "6f1c4e0e-2b1d-4a8e-9d3b-1c2a3b4c5d6e", StringComparison.Ordinal)
        .Replace("{bootstrapkey_id}", OtherId, StringComparison.Ordinal)
        .Replace("{bootstrap_key}", OtherId, StringComparison.Ordinal)
        .Replace("{company_id}", OtherId, StringComparison.Ordinal)
        .Replace("{role_id}", OtherId, StringComparison.Ordinal)
        .Replace("{user_id}", OtherId, StringComparison.Ordinal);

    [Fact]
    public void Routes_Always_HaveOneRowPerDocumentedRow()
    {
        var documented = DocumentedRows().Select(r => $"{r[0]} {r[1]}").ToHashSet(StringComparer.Ordinal);
        Assert.Equal(79, documented.Count);
        Assert.Equal(documented.Order(StringComparer.Ordinal), ApiCallTable.Routes.Select(r => r.ToString()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(DocumentedRows))]
    public void Match_DocumentedCallInEveryForm_MapsToItsPermission(string method, string template, string permission)
    {
        var path = Fill(template);
        foreach (var form in new[] { path, "/api/v2" + path, path + "?page=2&sort=asc", path + "/", "/api/v2" + path + "/?x=1#top" })
        {
            var route = ApiCallTable.Match(method, form, out _);
            Assert.True(route is not null, $"{method} {form} did not match");
            Assert.Equal(permission, PermissionCatalog.NameOf(route.Permission));
            Assert.Equal(template, route.Template);
        }
    }

    [Theory]
    [InlineData("GET", "/grouptree/{node_id}", NodeId)]
    [InlineData("GET", "/node/{node_id}", NodeId)]
    [InlineData("GET", "/groupreportssummary/{group_id}", GroupId)]
    [InlineData("GET", "/deviceattribute/{device_id}", DeviceId)]
    [InlineData("PATCH", "/deviceattribute/{device_id}", DeviceId)]
    [InlineData("DELETE", "/inventory/{device_id}", DeviceId)]
    [InlineData("PATCH", "/grouptree/{node_id}", NodeId)]
    [InlineData("GET", "/reportsummary/{device_id}", DeviceId)]
    [InlineData("GET", "/inventory/{device_id}", null)] // inventory:read is account-wide
    [InlineData("GET", "/inventoryreport/{device_id}", null)]
    [InlineData("GET", "/inventoryreport/docker/{device_id}", null)]
    [InlineData("GET", "/inventorysummarybytype/{node_id}", null)]
    [InlineData("GET", "/config/{device_id}", null)]
    [InlineData("GET", "/configpreview/{node_id}", null)]
    [InlineData("DELETE", "/removeapprovedhost/{node_id}", null)]
    [InlineData("DELETE", "/pendinghost/{node_id}", null)]
    [InlineData("GET", "/grouptree", null)]
    [InlineData("PUT", "/grouptree", null)]
    [InlineData("GET", "/user/{user_id}", null)]
    [InlineData("GET", "/reportlist", null)]
    [InlineData("PATCH", "/reportmarkread", null)]
    public void Match_ResourceParameter_CapturedOnlyOnRestrictablePermissions(string method, string template, string? expected)
    {
        Assert.NotNull(ApiCallTable.Match(method, "/api/v2" + Fill(template) + "?q=1", out var resourceId));
        Assert.Equal(expected, resourceId);
    }

    [Theory]
    [InlineData("GET", "/config/users/x-42", "/config/{type}/{item_id}")]
    [InlineData("GET", "/config/" + DeviceId, "/config/{device_id}")]
    [InlineData("GET", "/configpreview/users/x-42", "/configpreview/{type}/{item_id}")]
    [InlineData("GET", "/configpreview/" + NodeId, "/configpreview/{node_id}")]
    [InlineData("GET", "/inventoryreport/docker/" + DeviceId, "/inventoryreport/docker/{device_id}")]
    [InlineData("GET", "/inventoryreport/docker", "/inventoryreport/{device_id}")]
    [InlineData("GET", "/cve/status/cves", "/cve/status/cves")]
    [InlineData("GET", "/cve/status", "/cve/{cve_id}")]
    [InlineData("GET", "/inventory", "/inventory")]
    [InlineData("GET", "/file/stats", "/file/stats")]
    public void Match_SimilarTemplates_PicksBySegmentCountAndLiterals(string method, string path, string template)
    {
        Assert.Equal(template, ApiCallTable.Match(method, path, out _)?.Template);
    }

    [Fact]
    public void Match_CveStatusCves_IsCveManageNotCveRead()
    {
        Assert.Equal(Permission.CveManage, ApiCallTable.Match("GET", "/api/v2/cve/status/cves", out _)?.Permission);
        Assert.Equal(Permission.CveRead, ApiCallTable.Match("GET", "/api/v2/cve/CVE-1", out _)?.Permission);
        Assert.Equal(Permission.CveManage, ApiCallTable.Match("DELETE", "/api/v2/cve/CVE-1", out _)?.Permission);
    }

    // The documented table has no two rows of one method and one segment count where a literal and a {param}
    // compete, so the rule is pinned on the route type itself, both ways round.
    [Theory]
    [InlineData("/config/docker/{item_id}", "/config/{type}/{item_id}", true)]
    [InlineData("/config/{type}/{item_id}", "/config/docker/{item_id}", false)]
    [InlineData("/cve/status/cves", "/cve/{cve_id}/cves", true)]
    [InlineData("/a/{x}/c", "/a/{y}/{z}", true)]
    [InlineData("/a/{x}/{z}", "/a/{y}/c", false)]
    [InlineData("/a/{x}", "/a/{y}", false)]
    [InlineData("/a/b", "/a/b", false)]
    public void IsMoreSpecificThan_LiteralVersusParameter_LiteralWins(string mine, string theirs, bool expected)
    {
        var a = new ApiRoute("GET", mine, Permission.CveManage);
        var b = new ApiRoute("GET", theirs, Permission.CveRead);
        Assert.Equal(expected, a.IsMoreSpecificThan(b));
    }

    [Fact]
    public void Routes_Always_NoTwoRowsMatchTheSameCallAmbiguously()
    {
        // Two rows of one method with the same segment count that can match the same path must be ordered by
        // the literal-wins rule; otherwise the first row would win by accident of table order.
        foreach (var a in ApiCallTable.Routes)
        {
            foreach (var b in ApiCallTable.Routes)
            {
                if (ReferenceEquals(a, b) || a.Method != b.Method || a.Segments.Length != b.Segments.Length)
                {
                    continue;
                }

                var overlap = a.Segments.Zip(b.Segments).All(p => p.First == p.Second || p.First.StartsWith('{') || p.Second.StartsWith('{'));
                if (overlap)
                {
                    Assert.True(a.IsMoreSpecificThan(b) ^ b.IsMoreSpecificThan(a), $"{a} and {b} are ambiguous");
                }
            }
        }
    }

    [Theory]
    [InlineData("GET", "/nope")]
    [InlineData("GET", "/")]
    [InlineData("GET", "")]
    [InlineData("GET", "/api/v2")]
    [InlineData("GET", "/api/v3/grouptree")]
    [InlineData("GET", "/v2/grouptree")]
    [InlineData("GET", "/Grouptree")]
    [InlineData("get", "/grouptree")]
    [InlineData("POST", "/grouptree")]
    [InlineData("DELETE", "/grouptree")]
    [InlineData("GET", "/grouptree/a/b")]
    [InlineData("GET", "/deviceattribute")]
    [InlineData("PUT", "/reportmarkread")]
    [InlineData("HEAD", "/analysis")]
    [InlineData("GET", "/api/v2/cve/status/cves/extra")]
    public void Match_CallNotInTheTable_ReturnsNull(string method, string path)
    {
        Assert.Null(ApiCallTable.Match(method, path, out var resourceId));
        Assert.Null(resourceId);
    }

    [Theory]
    [InlineData("GET", true)]
    [InlineData("POST", true)]
    [InlineData("PUT", true)]
    [InlineData("PATCH", true)]
    [InlineData("DELETE", true)]
    [InlineData("HEAD", false)]
    [InlineData("get", false)]
    [InlineData("gGET", false)]
    public void IsKnownMethod_Method_OnlyTheFiveVerbs(string method, bool expected)
    {
        Assert.Equal(expected, ApiCallTable.IsKnownMethod(method));
    }
}
