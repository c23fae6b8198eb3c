namespace Qbee.Authz.Service.Domain;

/// <summary>
/// The platform's REST calls and the permission each needs (users-and-roles.txt; "gGET" read as GET).
/// Paths match with or without /api/v2, ignoring a query string and a trailing slash; literal segments win
/// over {param} segments. On a restrictable permission, {device_id}, {node_id} and {group_id} name the resource.
/// </summary>
internal static class ApiCallTable
{
    public const string PublicPrefix = "/api/v2";

    public static readonly IReadOnlyList<ApiRoute> Routes = Build(
    [
        ("GET", "/analysis", Permission.AnalysisRead),
        ("POST", "/analysis", Permission.AnalysisRead),
        ("GET", "/analysis/orgstats", Permission.AnalysisRead),
        ("GET", "/commitlist", Permission.AuditRead),
        ("GET", "/stripe/subscriptions", Permission.BillingRead),
        ("POST", "/stripe/create-customer-portal", Permission.BillingManage),
        ("POST", "/stripe/create-checkout-session", Permission.BillingManage),
        ("DELETE", "/stripe/cancel-subscription/{uuid}", Permission.BillingManage),
        ("GET", "/bootstrapkey/{bootstrapkey_id}", Permission.BootstrapKeysRead),
        ("GET", "/bootstrapkeylist", Permission.BootstrapKeysRead),
        ("PUT", "/bootstrapkey/{bootstrap_key}", Permission.BootstrapKeysManage),
        ("POST", "/bootstrapkey", Permission.BootstrapKeysManage),
        ("DELETE", "/bootstrapkey/{bootstrap_key}", Permission.BootstrapKeysManage),
        ("GET", "/company/{company_id}", Permission.CompanyRead),
        ("PUT", "/company/{company_id}", Permission.CompanyManage),
        ("PATCH", "/company/{company_id}", Permission.CompanyManage),
        ("GET", "/change/{sha}", Permission.ConfigurationRead),
        ("GET", "/changelist", Permission.ConfigurationRead),
        ("GET", "/commit/{sha}", Permission.ConfigurationRead),
        ("GET", "/config/{type}/{item_id}", Permission.ConfigurationRead),
        ("GET", "/configpreview/{type}/{item_id}", Permission.ConfigurationRead),
        ("GET", "/config/{device_id}", Permission.ConfigurationRead),
        ("GET", "/configpreview/{node_id}", Permission.ConfigurationRead),
        ("DELETE", "/changes", Permission.ConfigurationManage),
        ("DELETE", "/change/{sha}", Permission.ConfigurationManage),
        ("POST", "/change", Permission.ConfigurationManage),
        ("POST", "/commit", Permission.ConfigurationManage),
        ("GET", "/cve/{cve_id}", Permission.CveRead),
        ("GET", "/cvelist", Permission.CveRead),
        ("GET", "/cvescorestats", Permission.CveRead),
        ("GET", "/cve_hosts_max_count", Permission.CveRead),
        ("PATCH", "/cve/{cve_id}", Permission.CveManage),
        ("GET", "/cve/status/cves", Permission.CveManage),
        ("DELETE", "/cve/{cve_id}", Permission.CveManage),
        ("GET", "/grouptree", Permission.DeviceRead),
        ("GET", "/grouptree/{node_id}", Permission.DeviceRead),
        ("GET", "/node/{node_id}", Permission.DeviceRead),
        ("GET", "/groupreportssummary/{group_id}", Permission.DeviceRead),
        ("GET", "/deviceattribute/{device_id}", Permission.DeviceRead),
        ("GET", "/tagslist", Permission.DeviceRead),
        ("PUT", "/grouptree", Permission.DeviceManage),
        ("PATCH", "/deviceattribute/{device_id}", Permission.DeviceManage),
        ("DELETE", "/inventory/{device_id}", Permission.DeviceManage),
        ("PATCH", "/grouptree/{node_id}", Permission.DeviceManage),
        ("POST", "/pendinghost", Permission.DeviceApprove),
        ("GET", "/pendinghost", Permission.DeviceApprove),
        ("DELETE", "/removeapprovedhost/{node_id}", Permission.DeviceApprove),
        ("DELETE", "/pendinghost/{node_id}", Permission.DeviceApprove),
        ("GET", "/file", Permission.FilesRead),
        ("GET", "/files", Permission.FilesRead),
        ("GET", "/file/stats", Permission.FilesRead),
        ("POST", "/file", Permission.FilesManage),
        ("POST", "/file/createdir", Permission.FilesManage),
        ("PATCH", "/file", Permission.FilesManage),
        ("DELETE", "/file", Permission.FilesManage),
        ("GET", "/inventory/{device_id}", Permission.InventoryRead),
        ("GET", "/inventorylist", Permission.InventoryRead),
        ("GET", "/inventory", Permission.InventoryRead),
        ("GET", "/inventoryreport/{device_id}", Permission.InventoryRead),
        ("GET", "/inventoryreport/docker/{device_id}", Permission.InventoryRead),
        ("GET", "/inventorysummarybytype/{node_id}", Permission.InventoryRead),
        ("GET", "/inventoryonlinestats", Permission.InventoryRead),
        ("POST", "/qbee-connect/portmap", Permission.RemoteAccessManage),
        ("PATCH", "/qbee-connect/portmap", Permission.RemoteAccessManage),
        ("PATCH", "/reportmarkread", Permission.ReportsAcknowledge),
        ("GET", "/reportlist", Permission.ReportsRead),
        ("GET", "/reportsummary/{device_id}", Permission.ReportsRead),
        ("GET", "/role/{role_id}", Permission.RolesRead),
        ("GET", "/roleslist", Permission.RolesRead),
        ("GET", "/permissionslist", Permission.RolesRead),
        ("POST", "/role", Permission.RolesManage),
        ("PUT", "/role/{role_id}", Permission.RolesManage),
        ("DELETE", "/role/{role_id}", Permission.RolesManage),
        ("GET", "/user/{user_id}", Permission.UsersRead),
        ("GET", "/userlist", Permission.UsersRead),
        ("POST", "/user", Permission.UsersManage),
        ("PUT", "/user/{user_id}", Permission.UsersManage),
        ("PATCH", "/user/{user_id}", Permission.UsersManage),
        ("DELETE", "/user/{user_id}", Permission.UsersManage),
    ]);

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public static bool IsKnownMethod(string method) => Array.IndexOf(Methods, method) >= 0;

    /// <summary>
    /// Finds the route of a call. <paramref name="resourceId"/> is the value captured by the route's resource
    /// parameter ({device_id}, {node_id}, {group_id}) when its permission is restrictable, else null.
    /// </summary>
    public static ApiRoute? Match(string method, string path, out string? resourceId)
    {
        resourceId = null;
        var segments = Segments(path);
        ApiRoute? best = null;
        foreach (var route in Routes)
        {
            if (route.Method != method || route.Segments.Length != segments.Length || !route.Matches(segments))
            {
                continue;
            }

            if (best is null || route.IsMoreSpecificThan(best))
            {
                best = route;
            }
        }

        if (best is not null && best.ResourceSegment >= 0 && PermissionCatalog.IsRestrictable(best.Permission))
        {
            resourceId = segments[best.ResourceSegment];
        }

        return best;
    }

    /// <summary>The path's segments without /api/v2, the query string, the fragment and empty segments.</summary>
    public static string[] Segments(string path)
    {
        var end = path.IndexOfAny(['?', '#']);
        var span = end < 0 ? path : path[..end];
        var segments = span.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length > 0 && segments[0] == "api" && segments.Length > 1 && segments[1] == "v2"
            ? segments[2..]
            : segments;
    }

    private static ApiRoute[] Build((string Method, string Template, Permission Permission)[] rows) =>
        rows.Select(r => new ApiRoute(r.Method, r.Template, r.Permission)).ToArray();
}

/// <summary>One row of the API table, its template split into segments once.</summary>
internal sealed class ApiRoute
{
    private static readonly string[] ResourceParameters = ["{device_id}", "{node_id}", "{group_id}"];

    public ApiRoute(string method, string template, Permission permission)
    {
        Method = method;
        Template = template;
        Permission = permission;
        Segments = template.Split('/', StringSplitOptions.RemoveEmptyEntries);
        ResourceSegment = Array.FindIndex(Segments, s => ResourceParameters.Contains(s));
        ResourceNaming = ResourceSegment < 0 ? Evaluation.NodeNaming.AnyNode : Segments[ResourceSegment] switch
        {
            "{device_id}" => Evaluation.NodeNaming.Device,
            "{group_id}" => Evaluation.NodeNaming.Group,
            _ => Evaluation.NodeNaming.AnyNode,
        };
    }

    public string Method { get; }

    public string Template { get; }

    public Permission Permission { get; }

    public string[] Segments { get; }

    /// <summary>The index of the segment naming a device or node; -1 when none.</summary>
    public int ResourceSegment { get; }

    /// <summary>What the resource segment names: a device, a group, or either.</summary>
    public Evaluation.NodeNaming ResourceNaming { get; }

    public bool IsParameter(int index) => Segments[index].StartsWith('{');

    public bool Matches(string[] segments)
    {
        for (var i = 0; i < Segments.Length; i++)
        {
            if (!IsParameter(i) && !string.Equals(Segments[i], segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The first segment where the two differ in kind decides: a literal beats a parameter.</summary>
    public bool IsMoreSpecificThan(ApiRoute other)
    {
        for (var i = 0; i < Segments.Length; i++)
        {
            var mine = IsParameter(i);
            var theirs = other.IsParameter(i);
            if (mine != theirs)
            {
                return !mine;
            }
        }

        return false;
    }

    public override string ToString() => $"{Method} {Template}";
}
