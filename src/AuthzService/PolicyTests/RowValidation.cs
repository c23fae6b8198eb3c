using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.Service.Grpc.Validation;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.PolicyTests;

/// <summary>
/// The one validation layer, reused: each row of a policy test file goes through the message the matching admin
/// write (or Check) would carry and <see cref="AdminValidator"/> / <see cref="CheckMapping"/>, so a file is refused
/// with the texts the service gives (InvalidFieldException naming the request's field). The only file here that
/// names the contract.
/// </summary>
internal static class RowValidation
{
    /// <summary>The service's default limits: a file holds what a default server accepts.</summary>
    private static readonly LimitsOptions Limits = new();

    /// <remarks>Fields are named <c>role.…</c>, as PutRole names them.</remarks>
    public static RoleRecord Validate(RoleRecord draft) => AdminValidator.ToRecord(draft.ToProto(), Limits);

    public static UserRecord Validate(UserRecord draft, string field) => AdminValidator.ToRecord(draft.ToProto(), field);

    public static NodeRecord Validate(NodeRecord draft, string field) => AdminValidator.ToRecord(draft.ToProto(), field);

    /// <remarks>Fields are named <c>node_id</c> or <c>tag</c>, as SetRemoteAccess names them.</remarks>
    public static void ValidateSetting(string accountId, RemoteAccessTarget kind, string target, bool enabled) =>
        AdminValidator.ToCommand(new SetRemoteAccessRequest
        {
            AccountId = accountId,
            NodeId = kind == RemoteAccessTarget.Node ? target : string.Empty,
            Tag = kind == RemoteAccessTarget.Tag ? target : string.Empty,
            Setting = enabled ? RemoteAccessSetting.Enabled : RemoteAccessSetting.Disabled,
        });

    public static string AccountName(string name) => TextRules.Require(name, "account.name", AdminLimits.MaxNameLength);

    /// <summary>A check with its explanation asked for; fields are named as CheckRequest names them (<c>remote_access.port</c>).</summary>
    public static PreparedCheck ToCheck(string userId, string permission, string deviceId, RemoteAccessRequest? remoteAccess) =>
        CheckMapping.ToCheck(new CheckRequest
        {
            UserId = userId,
            Permission = permission,
            DeviceId = deviceId,
            RemoteAccess = remoteAccess?.ToProto(),
            Explain = true,
        });
}
