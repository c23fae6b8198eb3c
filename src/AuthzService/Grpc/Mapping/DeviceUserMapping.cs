using System.Globalization;
using Qbee.Authz.Service.Checks;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Grpc.Validation;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc.Mapping;

/// <summary>
/// ListDeviceUsers: the request validated into a query (errors name the field; permission and remote_access exactly
/// as Check reads them), the listing into a response. A page token carries the last user id and the revision it was
/// issued at, which the next page waits for: paging never goes back in time, even on another replica.
/// </summary>
internal static class DeviceUserMapping
{
    public static DeviceUserQuery ToQuery(ListDeviceUsersRequest request, int maxPageSize, out string tokenQuery)
    {
        if (request.AccountId.Length > 0)
        {
            Ids.RequireId(request.AccountId, "account_id");
        }

        if (request.DeviceId.Length > 0 == request.NodeId.Length > 0)
        {
            throw new InvalidFieldException("device_id", "give exactly one of device_id and node_id");
        }

        if (request.DeviceId.Length > 0)
        {
            Ids.RequireDeviceId(request.DeviceId, "device_id");
        }
        else
        {
            Ids.RequireId(request.NodeId, "node_id");
            if (request.AccountId.Length == 0)
            {
                throw new InvalidFieldException("account_id", "is required with node_id (group ids are unique in their account only)");
            }
        }

        var permission = PermissionCatalog.Require(request.Permission, "permission");
        var remoteAccess = RemoteAccessReader.Read(request.RemoteAccess, permission, "remote_access");
        var pageSize = PageToken.ReadPageSize(request.PageSize, maxPageSize);
        var minRevision = RevisionMapping.ToRevision(request.MinRevision);

        tokenQuery = $"device-users|{request.AccountId}|{request.DeviceId}|{request.NodeId}|{PermissionCatalog.NameOf(permission)}|{request.RemoteAccess}";
        var cursor = PageToken.Decode(request.PageToken, tokenQuery, "page_token");
        var after = string.Empty;
        if (cursor.Length > 0)
        {
            var slash = cursor.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !long.TryParse(cursor.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var issuedAt)
                || !Ids.IsValidId(cursor.AsSpan(slash + 1)))
            {
                throw new InvalidFieldException("page_token", "is not a page token of this service");
            }

            after = cursor[(slash + 1)..];
            minRevision = Math.Max(minRevision, issuedAt);
        }

        return new DeviceUserQuery(request.AccountId, request.DeviceId, request.NodeId, permission, remoteAccess, pageSize, after, minRevision);
    }

    /// <param name="withEmails">Emails are personal data an admin may read: a check-only caller gets ids alone.</param>
    public static ListDeviceUsersResponse ToProto(DeviceUserListing listing, string tokenQuery, bool withEmails)
    {
        var response = new ListDeviceUsersResponse
        {
            Revision = (ulong)listing.Revision,
            Reason = listing.Reason.ToProto(),
            Message = listing.Message,
        };
        foreach (var (user, decision) in listing.Users)
        {
            response.Users.Add(new DeviceUser
            {
                UserId = user.UserId,
                Email = withEmails ? user.Email : string.Empty,
                RoleId = decision.Grant?.RoleId ?? string.Empty,
                Resource = decision.Grant?.Resource ?? string.Empty,
                Restricted = decision.Restricted,
            });
        }

        if (listing.More)
        {
            response.NextPageToken = PageToken.Encode(
                tokenQuery, $"{listing.Revision.ToString(CultureInfo.InvariantCulture)}/{listing.Users[^1].User.UserId}");
        }

        return response;
    }
}
