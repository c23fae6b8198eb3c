using System.Globalization;
using System.Text.RegularExpressions;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.PolicyTests;

/// <summary>
/// Writes an account's rows (an export) as a policy test file that <see cref="PolicyFileLoader"/> reads back to the
/// same rows: roles, users, the tree nested as the fleet is, tag settings, and an assertions section for the team
/// to fill in, with commented examples that hold today. So a team keeps its real roles under test in its own CI.
/// </summary>
internal static partial class PolicyTestFileWriter
{
    /// <summary>Examples generated into the assertions section (commented out): two per user.</summary>
    private const int MaxExamples = 6;

    public static void Write(AccountData rows, TextWriter output)
    {
        var names = DeviceNamesFor(rows.Nodes);
        output.WriteLine($"# Policy tests for account {rows.Account.AccountId} (revision {rows.Account.Revision}); run: qbee-authz test FILE");
        output.WriteLine("# Format: docs/POLICY-TESTS.md. Fill in the assertions at the end: what your roles must mean.");
        output.WriteLine();
        output.WriteLine("account:");
        output.WriteLine($"  id: {Quote(rows.Account.AccountId)}");
        output.WriteLine($"  name: {Quote(rows.Account.Name)}");
        WriteRoles(rows.Roles, output);
        WriteUsers(rows.Users, output);
        WriteTree(rows, names, output);
        WriteTagSettings(rows.RemoteAccessSettings, output);
        WriteAssertions(rows, names, output);
    }

    private static void WriteRoles(IReadOnlyList<RoleRecord> roles, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine(roles.Count == 0 ? "roles: []" : "roles:");
        foreach (var role in roles.OrderBy(r => r.RoleId, StringComparer.Ordinal))
        {
            output.WriteLine($"  - id: {Quote(role.RoleId)}");
            output.WriteLine($"    name: {Quote(role.Name)}");
            if (role.Description.Length > 0)
            {
                output.WriteLine($"    description: {Quote(role.Description)}");
            }

            output.WriteLine(role.Policies.Count == 0 ? "    policies: []" : "    policies:");
            foreach (var policy in role.Policies)
            {
                output.WriteLine($"      - permission: {Quote(policy.Permission)}");
                if (policy.Resources.Count > 0)
                {
                    output.WriteLine("        resources:");
                    foreach (var resource in policy.Resources)
                    {
                        output.WriteLine($"          - {Quote(resource)}");
                    }
                }
            }
        }
    }

    private static void WriteUsers(IReadOnlyList<UserRecord> users, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine(users.Count == 0 ? "users: []" : "users:");
        foreach (var user in users.OrderBy(u => u.UserId, StringComparer.Ordinal))
        {
            output.WriteLine($"  - id: {Quote(user.UserId)}");
            output.WriteLine($"    email: {Quote(user.Email)}");
            if (user.FirstName.Length > 0)
            {
                output.WriteLine($"    first_name: {Quote(user.FirstName)}");
            }

            if (user.LastName.Length > 0)
            {
                output.WriteLine($"    last_name: {Quote(user.LastName)}");
            }

            output.WriteLine($"    roles: {FlowList(user.RoleIds)}");
            if (user.Status == UserState.Disabled)
            {
                output.WriteLine("    status: disabled");
            }
        }
    }

    /// <summary>
    /// The tree from root down. A node whose parent is missing (a store would not hold one) is written where the store
    /// would put it: a device in unassigned_group, a group under root.
    /// </summary>
    private static void WriteTree(AccountData rows, Dictionary<string, string> names, TextWriter output)
    {
        var ids = rows.Nodes.Select(n => n.NodeId).ToHashSet(StringComparer.Ordinal);
        var children = rows.Nodes
            .Where(n => n.NodeId != Ids.Root)
            .GroupBy(n => ids.Contains(n.ParentId) && n.ParentId != n.NodeId ? n.ParentId : n.Kind == NodeKind.Device ? Ids.UnassignedGroup : Ids.Root)
            .ToDictionary(g => g.Key, g => g.OrderBy(n => n.Kind).ThenBy(n => n.NodeId, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var settings = rows.RemoteAccessSettings.Where(s => s.TargetKind == RemoteAccessTarget.Node)
            .ToDictionary(s => s.Target, s => s.Enabled, StringComparer.Ordinal);
        var root = rows.Nodes.FirstOrDefault(n => n.NodeId == Ids.Root)
            ?? new NodeRecord(rows.Account.AccountId, Ids.Root, NodeKind.Group, string.Empty, string.Empty, [], false);

        output.WriteLine();
        output.WriteLine("tree:");
        WriteNode(root, "  ", first: "  ", children, settings, names, output, new HashSet<string>(StringComparer.Ordinal));
    }

    private static void WriteNode(
        NodeRecord node,
        string indent,
        string first,
        Dictionary<string, List<NodeRecord>> children,
        Dictionary<string, bool> settings,
        Dictionary<string, string> names,
        TextWriter output,
        HashSet<string> written)
    {
        if (!written.Add(node.NodeId) || IsBareUnassignedGroup(node, children, settings))
        {
            return;
        }

        if (node.Kind == NodeKind.Device)
        {
            var name = names[node.NodeId];
            output.WriteLine($"{first}device: {Quote(name)}");
            if (DeviceNames.IdFor(name) != node.NodeId)
            {
                output.WriteLine($"{indent}id: {node.NodeId}");
            }
        }
        else
        {
            output.WriteLine($"{first}group: {Quote(node.NodeId)}");
        }

        // A device's title defaults to its name in the file, so it is written when it differs, even when empty.
        if (node.Kind == NodeKind.Device ? names[node.NodeId] != node.Title : node.Title.Length > 0)
        {
            output.WriteLine($"{indent}title: {Quote(node.Title)}");
        }

        if (node.Tags.Count > 0)
        {
            output.WriteLine($"{indent}tags: {FlowList(node.Tags)}");
        }

        if (settings.TryGetValue(node.NodeId, out var enabled))
        {
            output.WriteLine($"{indent}remote_access: {(enabled ? "enabled" : "disabled")}");
        }

        if (node.AgentRemoteAccessDisabled)
        {
            output.WriteLine($"{indent}agent_remote_access_disabled: true");
        }

        if (node.Kind == NodeKind.Group && children.TryGetValue(node.NodeId, out var below) && below.Count > 0)
        {
            output.WriteLine($"{indent}children:");
            foreach (var child in below)
            {
                WriteNode(child, indent + "    ", indent + "  - ", children, settings, names, output, written);
            }
        }
    }

    /// <summary>The loader adds unassigned_group when a file leaves it out: written only when it holds something.</summary>
    private static bool IsBareUnassignedGroup(NodeRecord node, Dictionary<string, List<NodeRecord>> children, Dictionary<string, bool> settings) =>
        node.NodeId == Ids.UnassignedGroup && node.ParentId == Ids.Root && node.Title.Length == 0 && node.Tags.Count == 0
        && !settings.ContainsKey(node.NodeId) && !children.ContainsKey(node.NodeId);

    private static void WriteTagSettings(IReadOnlyList<RemoteAccessSettingRecord> settings, TextWriter output)
    {
        var tags = settings.Where(s => s.TargetKind == RemoteAccessTarget.Tag)
            .OrderBy(s => s.ChangedRevision).ThenBy(s => s.Target, StringComparer.Ordinal).ToList();
        if (tags.Count == 0)
        {
            return;
        }

        // Positions stand for revisions unless two settings tie (made in one write): then the revisions are kept.
        var tied = tags.Select(s => s.ChangedRevision).Distinct().Count() < tags.Count;
        output.WriteLine();
        output.WriteLine("# Oldest first: among a device's tags, the setting changed last wins.");
        output.WriteLine("remote_access_tags:");
        foreach (var setting in tags)
        {
            output.WriteLine($"  - tag: {Quote(setting.Target)}");
            output.WriteLine($"    remote_access: {(setting.Enabled ? "enabled" : "disabled")}");
            if (tied)
            {
                output.WriteLine($"    changed_revision: {setting.ChangedRevision.ToString(CultureInfo.InvariantCulture)}");
            }
        }
    }

    /// <summary>An empty section and a few commented examples, each with the answer the rows give today.</summary>
    private static void WriteAssertions(AccountData rows, Dictionary<string, string> names, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("# USER PERMISSION [DEVICE|-] [ACTION [ARGS]] -> OUTCOME [restricted|unrestricted]");
        output.WriteLine("# Uncomment and keep the examples that state what must hold (each shows today's answer):");
        output.WriteLine("assertions:");
        var device = rows.Nodes.Where(n => n.Kind == NodeKind.Device).OrderBy(n => names[n.NodeId], StringComparer.Ordinal).FirstOrDefault();
        var users = rows.Users.Where(u => u.Status == UserState.Active).OrderBy(u => u.UserId, StringComparer.Ordinal).Take(MaxExamples / 2).ToList();
        if (device is null || users.Count == 0)
        {
            output.WriteLine("  # - USER device:read DEVICE -> GRANTED");
            return;
        }

        var snapshot = SnapshotCompiler.Compile(rows, DateTimeOffset.UnixEpoch);
        var console = new RemoteAccessRequest(RemoteAction.Console, string.Empty, 0, string.Empty, string.Empty, string.Empty);
        foreach (var user in users)
        {
            var name = names[device.NodeId];
            var read = PolicyTestRunner.Answer(snapshot, RowValidation.ToCheck(user.UserId, "device:read", device.NodeId, null));
            output.WriteLine($"  # - {user.UserId} device:read {name} -> {ExpectedOutcome.NameOf(read.Reason)}");
            var connect = PolicyTestRunner.Answer(snapshot, RowValidation.ToCheck(user.UserId, "remote-access:connect", device.NodeId, console));
            output.WriteLine($"  # - {user.UserId} remote-access:connect {name} console -> {ExpectedOutcome.NameOf(connect.Reason)}");
        }
    }

    /// <summary>
    /// Each device's name in the file: its title when that is a usable, unique name, else <c>device-</c> and the id's
    /// first 12 hex digits (more when two share them). A usable name is an id that is no device id, no action and not '-'.
    /// </summary>
    private static Dictionary<string, string> DeviceNamesFor(IReadOnlyList<NodeRecord> nodes)
    {
        var devices = nodes.Where(n => n.Kind == NodeKind.Device).ToList();
        var titleCounts = devices.GroupBy(d => d.Title, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var device in devices.Where(d => Usable(d.Title) && titleCounts[d.Title] == 1))
        {
            names[device.NodeId] = device.Title;
            taken.Add(device.Title);
        }

        foreach (var device in devices.Where(d => !names.ContainsKey(d.NodeId)).OrderBy(d => d.NodeId, StringComparer.Ordinal))
        {
            var length = 12;
            while (!taken.Add($"device-{device.NodeId[..length]}") && length < device.NodeId.Length)
            {
                length += 4;
            }

            names[device.NodeId] = length < device.NodeId.Length ? $"device-{device.NodeId[..length]}" : device.NodeId;
        }

        return names;
    }

    private static bool Usable(string title) =>
        Ids.IsValidId(title) && !Ids.IsDeviceId(title) && title is not ("-" or "console" or "tunnel" or "reload" or "copy");

    private static string FlowList(IEnumerable<string> items) => $"[{string.Join(", ", items.Select(Quote))}]";

    /// <summary>Plain when YAML reads it back as the same text everywhere, else double-quoted with JSON-style escapes.</summary>
    internal static string Quote(string text)
    {
        if (PlainScalar().IsMatch(text) && !Reserved().IsMatch(text))
        {
            return text;
        }

        var quoted = new System.Text.StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>Safe in block and flow context alike: no spaces, commas, brackets, '#', quotes, and no leading indicator.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_./][A-Za-z0-9_./@:()=;+-]*$")]
    private static partial Regex PlainScalar();

    /// <summary>Words and numbers some YAML readers would take for another type.</summary>
    [GeneratedRegex(@"^(?i:true|false|yes|no|on|off|y|n|null|~)$|^[-+]?[0-9._]+$|:$")]
    private static partial Regex Reserved();
}
