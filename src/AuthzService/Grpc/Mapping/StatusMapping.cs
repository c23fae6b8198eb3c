using Google.Protobuf.WellKnownTypes;
using Qbee.Authz.Service.Admin;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc.Mapping;

/// <summary>The status report to GetStatus' response.</summary>
internal static class StatusMapping
{
    public static GetStatusResponse ToProto(this StatusReport report)
    {
        var response = new GetStatusResponse
        {
            Version = report.Version,
            StartedAt = Timestamp.FromDateTimeOffset(report.StartedAt),
            Store = report.Store.ToProto(),
            Redis = report.Redis.ToProto(),
            Audit = report.Audit.ToProto(),
            Sync = report.Sync.ToProto(),
            OldestConfirmationAge = Duration.FromTimeSpan(report.OldestConfirmationAge),
        };
        foreach (var account in report.Accounts)
        {
            response.Accounts.Add(new AccountStatus
            {
                AccountId = account.AccountId,
                Revision = (ulong)account.Revision,
                SnapshotRevision = (ulong)account.SnapshotRevision,
                SnapshotAge = Duration.FromTimeSpan(account.SnapshotAge),
                Devices = account.Devices,
                Users = account.Users,
                Roles = account.Roles,
                ConfirmedAge = account.ConfirmedAge is { } age ? Duration.FromTimeSpan(age) : null,
                SnapshotBytes = account.SnapshotBytes,
                Loaded = account.Loaded,
            });
        }

        return response;
    }

    private static ComponentStatus ToProto(this ComponentReport component) => new() { State = component.State, Detail = component.Detail };
}
