using Qbee.Authz.Service.Domain.Snapshot;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc.Mapping;

/// <summary>Revocations to WatchRevocations' events.</summary>
internal static class RevocationMapping
{
    public static RevocationEvent ToProto(this Revocation revocation)
    {
        var message = new RevocationEvent { AccountId = revocation.AccountId, Revision = (ulong)revocation.Revision, AllUsers = revocation.AllUsers };
        message.UserIds.AddRange(revocation.UserIds);
        return message;
    }
}
