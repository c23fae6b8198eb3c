using Qbee.Authz.Service.Admin;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc.Validation;

/// <summary>
/// Turns admin requests into records and commands, checking every rule that needs no state (the store checks the
/// rest in its transaction). Errors name the field as the caller wrote it, e.g. <c>role.policies[1].resources[0]</c>.
/// </summary>
internal static class AdminValidator
{
    public static CreateAccountCommand ToCommand(CreateAccountRequest request)
    {
        Ids.RequireId(request.AccountId, "account_id");
        var name = TextRules.Require(request.Name, "name", AdminLimits.MaxNameLength);
        if (request.Owner is null)
        {
            throw new InvalidFieldException("owner", "is required");
        }

        if (request.Owner.AccountId.Length > 0 && request.Owner.AccountId != request.AccountId)
        {
            throw new InvalidFieldException("owner.account_id", "must be empty or the new account's id");
        }

        if (request.Owner.RoleIds.Any(r => r != Ids.DefaultRoleId))
        {
            throw new InvalidFieldException("owner.role_ids", $"the owner gets the '{Ids.DefaultRoleId}' role; other roles do not exist yet");
        }

        var owner = request.Owner.Clone();
        owner.AccountId = request.AccountId;
        owner.RoleIds.Clear();
        owner.RoleIds.Add(Ids.DefaultRoleId);
        return new CreateAccountCommand(request.AccountId, name, ToRecord(owner, "owner"));
    }

    public static NodeRecord[] ToRecords(PutNodesRequest request, int maxNodesPerWrite)
    {
        Ids.RequireId(request.AccountId, "account_id");
        if (request.Nodes.Count == 0 || request.Nodes.Count > maxNodesPerWrite)
        {
            throw new InvalidFieldException("nodes", $"must hold 1..{maxNodesPerWrite} nodes (has {request.Nodes.Count})");
        }

        var nodes = new NodeRecord[request.Nodes.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = ToRecord(request.Nodes[i], $"nodes[{i}]");
            if (nodes[i].AccountId != request.AccountId)
            {
                throw new InvalidFieldException($"nodes[{i}].account_id", "must be the request's account_id");
            }
        }

        return nodes;
    }

    public static UserRecord[] ToRecords(PutUsersRequest request)
    {
        Ids.RequireId(request.AccountId, "account_id");
        if (request.Users.Count is 0 or > AdminLimits.MaxUsersPerWrite)
        {
            throw new InvalidFieldException("users", $"must hold 1..{AdminLimits.MaxUsersPerWrite} users (has {request.Users.Count})");
        }

        var users = new UserRecord[request.Users.Count];
        var ids = new Dictionary<string, int>(users.Length, StringComparer.Ordinal);

        // Emails compare case-insensitively across the platform, as the store compares them.
        var emails = new Dictionary<string, int>(users.Length, StringComparer.Ordinal);
        for (var i = 0; i < users.Length; i++)
        {
            var field = $"users[{i}]";
            users[i] = ToRecord(request.Users[i], field);
            if (users[i].AccountId != request.AccountId)
            {
                throw new InvalidFieldException($"{field}.account_id", "must be the request's account_id");
            }

            if (!ids.TryAdd(users[i].UserId, i))
            {
                throw new InvalidFieldException($"{field}.user_id", $"user '{users[i].UserId}' is listed twice (also users[{ids[users[i].UserId]}])");
            }

            if (!emails.TryAdd(users[i].Email.ToLowerInvariant(), i))
            {
                throw new InvalidFieldException($"{field}.email", $"email '{users[i].Email}' is listed twice (also users[{emails[users[i].Email.ToLowerInvariant()]}])");
            }
        }

        return users;
    }

    public static SetRemoteAccessCommand ToCommand(SetRemoteAccessRequest request)
    {
        Ids.RequireId(request.AccountId, "account_id");
        var byNode = request.NodeId.Length > 0;
        var byTag = request.Tag.Length > 0;
        if (byNode == byTag)
        {
            throw new InvalidFieldException("node_id", "give exactly one of node_id and tag");
        }

        if (byNode)
        {
            Ids.RequireId(request.NodeId, "node_id");
        }
        else
        {
            Ids.RequireId(request.Tag, "tag");
        }

        bool? enabled = request.Setting switch
        {
            RemoteAccessSetting.Enabled => true,
            RemoteAccessSetting.Disabled => false,
            RemoteAccessSetting.Clear => null,
            _ => throw new InvalidFieldException("setting", "must be ENABLED, DISABLED or CLEAR"),
        };

        return byNode
            ? new SetRemoteAccessCommand(request.AccountId, RemoteAccessTarget.Node, request.NodeId, enabled)
            : new SetRemoteAccessCommand(request.AccountId, RemoteAccessTarget.Tag, request.Tag, enabled);
    }

    public static RoleRecord ToRecord(Role? role, LimitsOptions limits)
    {
        if (role is null)
        {
            throw new InvalidFieldException("role", "is required");
        }

        Ids.RequireId(role.AccountId, "role.account_id");
        Ids.RequireId(role.RoleId, "role.role_id");
        var name = TextRules.Require(role.Name, "role.name", AdminLimits.MaxNameLength);
        var description = TextRules.Optional(role.Description, "role.description", AdminLimits.MaxDescriptionLength, allowNewlines: true);
        if (role.Policies.Count > limits.MaxPoliciesPerRole)
        {
            throw new InvalidFieldException("role.policies", $"has more than {limits.MaxPoliciesPerRole} policies");
        }

        var policies = new List<PolicyRecord>(role.Policies.Count);
        for (var i = 0; i < role.Policies.Count; i++)
        {
            policies.Add(ToRecord(role.Policies[i], $"role.policies[{i}]", limits.MaxResourcesPerPolicy));
        }

        return new RoleRecord(role.AccountId, role.RoleId, name, description, policies);
    }

    private static PolicyRecord ToRecord(Policy policy, string field, int maxResources)
    {
        var permission = PermissionCatalog.Require(policy.Permission, $"{field}.permission");
        var canonical = PermissionCatalog.NameOf(permission);
        if (policy.Resources.Count > maxResources)
        {
            throw new InvalidFieldException($"{field}.resources", $"has more than {maxResources} resources");
        }

        if (policy.Resources.Count > 0 && !PermissionCatalog.IsRestrictable(permission))
        {
            throw new InvalidFieldException($"{field}.resources", $"{canonical} is not restrictable: it takes no resources");
        }

        var resources = new List<string>(policy.Resources.Count);
        for (var j = 0; j < policy.Resources.Count; j++)
        {
            try
            {
                var filter = ResourceParser.Parse(policy.Resources[j], permission == Permission.RemoteAccessConnect);
                resources.Add(filter.Text);
            }
            catch (ResourceSyntaxException e)
            {
                throw new InvalidFieldException($"{field}.resources[{j}]", e.Message);
            }
        }

        return new PolicyRecord(canonical, resources);
    }

    public static UserRecord ToRecord(User? user, string field = "user")
    {
        if (user is null)
        {
            throw new InvalidFieldException(field, "is required");
        }

        Ids.RequireId(user.AccountId, $"{field}.account_id");
        Ids.RequireId(user.UserId, $"{field}.user_id");
        var email = TextRules.Email(user.Email, $"{field}.email");
        var first = TextRules.Optional(user.FirstName, $"{field}.first_name", AdminLimits.MaxNameLength);
        var last = TextRules.Optional(user.LastName, $"{field}.last_name", AdminLimits.MaxNameLength);
        if (user.RoleIds.Count > AdminLimits.MaxRolesPerUser)
        {
            throw new InvalidFieldException($"{field}.role_ids", $"has more than {AdminLimits.MaxRolesPerUser} roles");
        }

        for (var i = 0; i < user.RoleIds.Count; i++)
        {
            Ids.RequireId(user.RoleIds[i], $"{field}.role_ids[{i}]");
            if (user.RoleIds.IndexOf(user.RoleIds[i]) != i)
            {
                throw new InvalidFieldException($"{field}.role_ids[{i}]", $"role '{user.RoleIds[i]}' is listed twice");
            }
        }

        var status = user.Status.ToDomain() ?? throw new InvalidFieldException($"{field}.status", $"unknown status {(int)user.Status}");

        return new UserRecord(user.AccountId, user.UserId, email, first, last, user.RoleIds.ToArray(), status);
    }

    public static NodeRecord ToRecord(Node? node, string field = "node")
    {
        if (node is null)
        {
            throw new InvalidFieldException(field, "is required");
        }

        Ids.RequireId(node.AccountId, $"{field}.account_id");
        var kind = node.Type == NodeType.Unspecified
            ? throw new InvalidFieldException($"{field}.type", "is required: NODE_TYPE_GROUP or NODE_TYPE_DEVICE")
            : node.Type.ToDomain() ?? throw new InvalidFieldException($"{field}.type", $"unknown type {(int)node.Type}");

        if (kind == NodeKind.Device)
        {
            Ids.RequireDeviceId(node.NodeId, $"{field}.node_id");
        }
        else
        {
            Ids.RequireId(node.NodeId, $"{field}.node_id");
            if (Ids.IsDeviceId(node.NodeId))
            {
                // Keeps device ids and group ids apart, so a device_id in a check is never a group.
                throw new InvalidFieldException($"{field}.node_id", "a group id must not look like a device id (64 lowercase hex)");
            }

            if (node.AgentRemoteAccessDisabled)
            {
                throw new InvalidFieldException($"{field}.agent_remote_access_disabled", "applies to devices only");
            }
        }

        if (node.ParentId.Length > 0)
        {
            Ids.RequireId(node.ParentId, $"{field}.parent_id");
        }

        var title = TextRules.Optional(node.Title, $"{field}.title", AdminLimits.MaxTitleLength);
        if (node.Tags.Count > AdminLimits.MaxTagsPerNode)
        {
            throw new InvalidFieldException($"{field}.tags", $"has more than {AdminLimits.MaxTagsPerNode} tags");
        }

        for (var i = 0; i < node.Tags.Count; i++)
        {
            Ids.RequireId(node.Tags[i], $"{field}.tags[{i}]");
            if (node.Tags.IndexOf(node.Tags[i]) != i)
            {
                throw new InvalidFieldException($"{field}.tags[{i}]", $"tag '{node.Tags[i]}' is listed twice");
            }
        }

        return new NodeRecord(node.AccountId, node.NodeId, kind, node.ParentId, title, node.Tags.ToArray(), node.AgentRemoteAccessDisabled);
    }
}
