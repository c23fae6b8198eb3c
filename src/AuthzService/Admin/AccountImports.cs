using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Admin;

/// <summary>
/// ImportAccount's write: the validated account stored in one transaction and one revision (audit event
/// "admin.import_account"), then the snapshot brought to it before answering, as every admin write does.
/// </summary>
internal sealed class AccountImports(IAuthzStore store, AccountLoader accounts, TimeProvider timeProvider)
{
    public const string AuditKind = "admin.import_account";

    public async Task<long> ImportAsync(AccountImport import, AuditContext context, CancellationToken cancellationToken)
    {
        var accountId = import.Account.AccountId;
        using var span = AuthzActivities.StartAdminWrite(AuditKind, accountId);
        var audit = AdminAuditEvent.Of(timeProvider.GetUtcNow(), accountId, AuditKind, context);
        var revision = await store.ImportAccountAsync(import, audit, cancellationToken);
        span.Committed(revision);

        // Committed: bring the snapshot to it even if the caller has gone, or this replica would answer stale.
        await accounts.FollowWriteAsync(accountId, revision, CancellationToken.None);
        span.Completed();
        return revision;
    }
}
