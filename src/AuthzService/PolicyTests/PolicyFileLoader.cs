using System.Globalization;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Qbee.Authz.Service.PolicyTests;

/// <summary>
/// Reads a policy test file (docs/POLICY-TESTS.md) into an account's rows and its assertions. Every row is
/// validated as the matching admin write validates it (<see cref="RowValidation"/>), then as the store would
/// (duplicates, unknown roles, reserved nodes, depth); errors name the line and the field as the file spells it.
/// </summary>
internal static class PolicyFileLoader
{
    private static readonly string[] GroupKeys = ["group", "title", "tags", "remote_access", "children"];
    private static readonly string[] DeviceKeys = ["device", "id", "title", "tags", "remote_access", "agent_remote_access_disabled"];

    /// <exception cref="PolicyFileException">The file is not valid YAML or breaks a rule.</exception>
    public static PolicyTestFile Load(string path, TextReader reader)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            // A line-form assertion that starts with '*' reads as a YAML alias unless quoted: say so.
            var hint = e.Message.Contains("anchor", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("alias", StringComparison.OrdinalIgnoreCase)
                ? " (an assertion starting with '*' must be quoted: - \"* PERMISSION DEVICE -> [...]\")"
                : string.Empty;
            throw new PolicyFileException((int)e.Start.Line, string.Empty, $"not valid YAML: {e.Message}{hint}");
        }

        if (stream.Documents.Count != 1)
        {
            throw new PolicyFileException(1, string.Empty, "must hold exactly one YAML document");
        }

        return new Reader(new FileNode(stream.Documents[0].RootNode, string.Empty)).Read(path);
    }

    private sealed class Reader(FileNode file)
    {
        private readonly List<RoleRecord> _roles = [];
        private readonly List<UserRecord> _users = [];
        private readonly List<NodeRecord> _nodes = [];
        private readonly List<RemoteAccessSettingRecord> _settings = [];
        private readonly Dictionary<string, string> _nodePaths = new(StringComparer.Ordinal);
        private readonly DeviceNames _devices = new();
        private string _accountId = string.Empty;

        public PolicyTestFile Read(string path)
        {
            file.Mapping("account", "roles", "users", "tree", "remote_access_tags", "assertions");
            var name = ReadAccount();
            ReadRoles();
            ReadTree();
            ReadTagSettings();
            ReadUsers();
            var assertions = file.Items("assertions").Select(item => AssertionReader.Read(item, _devices)).ToArray();
            var data = new AccountData(new AccountRecord(_accountId, name, Revision: 1), _roles, _users, _nodes, _settings);
            return new PolicyTestFile(path, data, _devices, assertions);
        }

        private string ReadAccount()
        {
            var account = file.Get("account") ?? throw new PolicyFileException(1, "account", "is required (id and name)");
            account.Mapping("id", "name");
            _accountId = account.Text("id");
            return Validated(account, () =>
            {
                Ids.RequireId(_accountId, "account.id");
                return RowValidation.AccountName(account.Text("name", _accountId));
            });
        }

        private void ReadRoles()
        {
            var ids = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in file.Items("roles"))
            {
                item.Mapping("id", "name", "description", "policies");
                var policies = item.Items("policies").Select(p =>
                {
                    p.Mapping("permission", "resources");
                    return new PolicyRecord(p.Text("permission"), p.Texts("resources"));
                }).ToArray();
                var draft = new RoleRecord(_accountId, item.Text("id"), item.Text("name"), item.Text("description"), policies);
                var role = Validated(item, () => RowValidation.Validate(draft), prefix: "role");
                if (!ids.TryAdd(role.RoleId, item.Path))
                {
                    throw item.Find("id").Error($"role '{role.RoleId}' is listed twice (also {ids[role.RoleId]})");
                }

                if (!names.TryAdd(role.Name, role.RoleId))
                {
                    throw item.Find("name").Error($"role name '{role.Name}' is taken by role {names[role.Name]}");
                }

                _roles.Add(role);
            }
        }

        private void ReadUsers()
        {
            var roles = _roles.Select(r => r.RoleId).ToHashSet(StringComparer.Ordinal);
            var ids = new Dictionary<string, string>(StringComparer.Ordinal);
            var emails = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in file.Items("users"))
            {
                item.Mapping("id", "email", "first_name", "last_name", "roles", "status");
                var status = item.Text("status", "active") switch
                {
                    "active" => UserState.Active,
                    "disabled" => UserState.Disabled,
                    _ => throw item.Find("status").Error("must be active or disabled"),
                };
                var draft = new UserRecord(_accountId, item.Text("id"), item.Text("email"), item.Text("first_name"), item.Text("last_name"), item.Texts("roles"), status);
                var user = Validated(item, () => RowValidation.Validate(draft, item.Path));
                if (!ids.TryAdd(user.UserId, item.Path))
                {
                    throw item.Find("id").Error($"user '{user.UserId}' is listed twice (also {ids[user.UserId]})");
                }

                // Emails compare case-insensitively across the platform, as the store compares them.
                if (!emails.TryAdd(user.Email.ToLowerInvariant(), item.Path))
                {
                    throw item.Find("email").Error($"email '{user.Email}' is listed twice (also {emails[user.Email.ToLowerInvariant()]})");
                }

                for (var i = 0; i < user.RoleIds.Count; i++)
                {
                    if (!roles.Contains(user.RoleIds[i]))
                    {
                        throw item.Find($"roles[{i}]").Error($"role {user.RoleIds[i]} not found in account {_accountId}");
                    }
                }

                _users.Add(user);
            }
        }

        /// <summary>The tree's top is root (its <c>group:</c> may be left out); unassigned_group is added when the file leaves it out.</summary>
        private void ReadTree()
        {
            if (file.Get("tree") is { } tree)
            {
                if (tree.Text("group", Ids.Root) != Ids.Root)
                {
                    throw tree.Find("group").Error("the tree's top is root (leave group: out, or write group: root)");
                }

                ReadNode(tree, Ids.Root, parentId: string.Empty, depth: 0);
            }
            else
            {
                AddNode(new NodeRecord(_accountId, Ids.Root, NodeKind.Group, string.Empty, string.Empty, [], false), "tree");
            }

            if (!_nodePaths.ContainsKey(Ids.UnassignedGroup))
            {
                AddNode(new NodeRecord(_accountId, Ids.UnassignedGroup, NodeKind.Group, Ids.Root, string.Empty, [], false), "tree");
            }
        }

        private void ReadNode(FileNode item, string? groupId, string parentId, int depth)
        {
            var isDevice = groupId is null && item.Get("device") is not null;
            if (groupId is null && isDevice == (item.Get("group") is not null))
            {
                throw item.Error("give exactly one of group: and device:");
            }

            if (isDevice)
            {
                ReadDevice(item, parentId);
                return;
            }

            item.Mapping(GroupKeys);
            var id = groupId ?? item.Text("group");
            if (id == Ids.Root && parentId.Length > 0)
            {
                throw item.Find("group").Error("root is the top of the tree and cannot have a parent");
            }

            if (id == Ids.UnassignedGroup && parentId != Ids.Root)
            {
                throw item.Find("group").Error("unassigned_group must stay directly under root");
            }

            if (depth > GroupTree.MaxDepth)
            {
                throw item.Find("group").Error($"group {id} would be at depth {depth} below root; the tree is at most {GroupTree.MaxDepth} groups deep");
            }

            var draft = new NodeRecord(_accountId, id, NodeKind.Group, parentId, item.Text("title"), item.Texts("tags"), false);
            AddNode(Validated(item, () => RowValidation.Validate(draft, item.Path), nodeIdKey: "group"), item.Path);
            ReadSetting(item, id);
            foreach (var child in item.Items("children"))
            {
                ReadNode(child, null, id, depth + 1);
            }
        }

        private void ReadDevice(FileNode item, string parentId)
        {
            var name = item.Text("device");
            if (item.Get("children") is { } children)
            {
                throw children.Error($"parent_id {name} is a device; only a group can hold nodes");
            }

            item.Mapping(DeviceKeys);
            if (!Ids.IsValidId(name))
            {
                throw item.Find("device").Error($"must be 1..{Ids.MaxLength} characters of [A-Za-z0-9._-] (a name, or the 64-hex device id)");
            }

            var id = item.Text("id", DeviceNames.IdFor(name));
            if (Ids.IsDeviceId(name) && id != name)
            {
                throw item.Find("id").Error("the device is named by its id already; give a readable name or leave id: out");
            }

            // The title defaults to the name, so an exported file can name devices by their titles.
            var title = item.Get("title") is { } given ? given.Scalar() : Ids.IsDeviceId(name) ? string.Empty : name;
            var draft = new NodeRecord(_accountId, id, NodeKind.Device, parentId, title, item.Texts("tags"), item.Flag("agent_remote_access_disabled"));
            var device = Validated(item, () => RowValidation.Validate(draft, item.Path), nodeIdKey: item.Get("id") is null ? "device" : "id");
            if (!_devices.TryAdd(name, id))
            {
                throw item.Find("device").Error($"device name '{name}' is listed twice");
            }

            AddNode(device, item.Path);

            ReadSetting(item, id);
        }

        private void AddNode(NodeRecord node, string path)
        {
            if (!_nodePaths.TryAdd(node.NodeId, path))
            {
                throw file.Find(path).Error($"node {node.NodeId} is listed twice (also {_nodePaths[node.NodeId]})");
            }

            _nodes.Add(node);
        }

        private void ReadSetting(FileNode item, string nodeId)
        {
            if (item.Get("remote_access") is { } setting)
            {
                var enabled = Enabled(setting);
                Validated(item, () => RowValidation.ValidateSetting(_accountId, RemoteAccessTarget.Node, nodeId, enabled));
                _settings.Add(new RemoteAccessSettingRecord(RemoteAccessTarget.Node, nodeId, enabled, ChangedRevision: 1));
            }
        }

        /// <summary>
        /// Tag settings in the order written, oldest first: among a device's tags, the later one wins. An export keeps
        /// the revisions it read (<c>changed_revision</c>), since settings made in one write tie (the device's first tag wins).
        /// </summary>
        private void ReadTagSettings()
        {
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            var position = 0;
            foreach (var item in file.Items("remote_access_tags"))
            {
                position++;
                item.Mapping("tag", "remote_access", "changed_revision");
                var tag = item.Text("tag");
                var setting = item.Get("remote_access") ?? throw item.Error("remote_access: is required (enabled or disabled)");
                var enabled = Enabled(setting);
                Validated(item, () => RowValidation.ValidateSetting(_accountId, RemoteAccessTarget.Tag, tag, enabled));
                if (!seen.TryAdd(tag, item.Path))
                {
                    throw item.Find("tag").Error($"tag '{tag}' is listed twice (also {seen[tag]})");
                }

                var changed = item.Text("changed_revision", position.ToString(CultureInfo.InvariantCulture));
                if (!long.TryParse(changed, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) || revision < 1)
                {
                    throw item.Find("changed_revision").Error("must be a whole number from 1");
                }

                _settings.Add(new RemoteAccessSettingRecord(RemoteAccessTarget.Tag, tag, enabled, revision));
            }
        }

        private static bool Enabled(FileNode setting) => setting.Scalar() switch
        {
            "enabled" => true,
            "disabled" => false,
            _ => throw setting.Error("must be enabled or disabled"),
        };

        private T Validated<T>(FileNode item, Func<T> validate, string? prefix = null, string nodeIdKey = "id")
        {
            try
            {
                return validate();
            }
            catch (InvalidFieldException e)
            {
                throw FieldError(item, e, prefix, nodeIdKey);
            }
        }

        private void Validated(FileNode item, Action validate) => Validated<bool>(item, () =>
        {
            validate();
            return true;
        });

        /// <summary>The request's field (<c>role.policies[0].resources[1]</c>, <c>users[2].role_ids[0]</c>) as the file spells it.</summary>
        private PolicyFileException FieldError(FileNode item, InvalidFieldException e, string? prefix, string nodeIdKey)
        {
            var field = e.Field;
            if (field.StartsWith("account.", StringComparison.Ordinal))
            {
                return new PolicyFileException(file.Find(field).Line, field, e.Reason);
            }

            foreach (var head in new[] { prefix, item.Path })
            {
                if (head is { Length: > 0 } && field.StartsWith(head + ".", StringComparison.Ordinal))
                {
                    field = field[(head.Length + 1)..];
                    break;
                }
            }

            var relative = string.Join('.', field.Split('.').Select(part => Rename(part, nodeIdKey)));
            return new PolicyFileException(item.Find(relative).Line, item.Child(relative), e.Reason);
        }

        /// <summary>The contract's field names as this file names them.</summary>
        private static string Rename(string part, string nodeIdKey)
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? part : part[..bracket];
            var renamed = name switch
            {
                "role_id" or "user_id" => "id",
                "role_ids" => "roles",
                "node_id" => nodeIdKey,
                "setting" => "remote_access",
                _ => name,
            };
            return bracket < 0 ? renamed : renamed + part[bracket..];
        }
    }
}
