using System.Diagnostics;

namespace Qbee.Authz.Service.Telemetry;

/// <summary>
/// The service's spans, from one ActivitySource ("Qbee.Authz"): one per admin write and one per snapshot
/// rebuild. Never one per check: checks are counted and timed by <see cref="AuthzMetrics"/> instead.
/// </summary>
internal static class AuthzActivities
{
    public const string SourceName = "Qbee.Authz";

    public const string AccountId = "qbee_authz.account_id";
    public const string Revision = "qbee_authz.revision";
    public const string Source = "qbee_authz.source";
    public const string Devices = "qbee_authz.devices";
    public const string ChangeSets = "qbee_authz.change_sets";

    public static readonly ActivitySource ActivitySource = new(SourceName, typeof(AuthzActivities).Assembly.GetName().Version?.ToString());

    /// <summary>The span of one admin write, named like its audit event (admin.put_role).</summary>
    public static AdminWriteSpan StartAdminWrite(string kind, string? accountId)
    {
        var activity = ActivitySource.StartActivity(kind);
        activity?.SetTag(AccountId, accountId);
        return new AdminWriteSpan(activity);
    }

    public static Activity? StartSnapshotRebuild(string accountId, long revision)
    {
        var activity = ActivitySource.StartActivity("snapshot.rebuild");
        activity?.SetTag(AccountId, accountId);
        activity?.SetTag(Revision, revision);
        return activity;
    }
}

/// <summary>An admin write's span: Ok once the write is committed and in the snapshot, else an error.</summary>
internal readonly struct AdminWriteSpan(Activity? activity) : IDisposable
{
    /// <summary>The store committed the write at <paramref name="revision"/>.</summary>
    public void Committed(long revision) => activity?.SetTag(AuthzActivities.Revision, revision);

    /// <summary>This replica answers from the write's revision.</summary>
    public void Completed() => activity?.SetStatus(ActivityStatusCode.Ok);

    public void Dispose()
    {
        if (activity is null)
        {
            return;
        }

        if (activity.Status == ActivityStatusCode.Unset)
        {
            // Refused by the store (a conflict, a missing parent) or failed: the exception goes to the caller and the log.
            // A request refused by validation never gets here: it is refused in Grpc/ before a write span opens.
            activity.SetStatus(ActivityStatusCode.Error, "the write did not complete");
        }

        activity.Dispose();
    }
}
