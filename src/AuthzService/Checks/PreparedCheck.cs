using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Domain.Resources;

namespace Qbee.Authz.Service.Checks;

/// <summary>A check that passed validation: every field parsed once, before any lookup.</summary>
/// <param name="AskedRemoteAccess">The remote-access part as the caller wrote it, for the audit record; null when not audited or not given.</param>
internal readonly record struct PreparedCheck(
    string UserId,
    Permission Permission,
    string DeviceId,
    RemoteAccessQuery RemoteAccess,
    long MinRevision,
    bool Explain,
    RemoteAccessRequest? AskedRemoteAccess = null)
{
    /// <summary>A remote-access:connect decision is answered only once its audit event is committed.</summary>
    public bool Audited => Permission == Permission.RemoteAccessConnect;
}
