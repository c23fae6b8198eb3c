using Qbee.Authz.Service.Audit;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.Admin;

/// <summary>
/// ImportAccount's write: the validated account stored in one transaction and one revision (audit event
/// "admin.import_account"), then the snapshot brought to it before answering, as every admin write does. Imports run
/// one at a time per replica (<see cref="TakeTurnAsync"/>): each holds its whole stream in memory before its
/// transaction, so the byte limit of one (Authz:Limits:MaxImportBytes) bounds them all.
/// </summary>
internal sealed class AccountImports(IAuthzStore store, AccountLoader accounts, TimeProvider timeProvider)
{
    public const string AuditKind = "admin.import_account";

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private int _waiting;

    /// <summary>Imports waiting for their turn (a test hook).</summary>
    internal int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// How long an import waits for another to end (within its deadline) before it is refused: long enough for the
    /// import of a large account ahead of it (minutes), bounded because an import whose client stalls holds its turn
    /// until its own deadline, and the others must not wait for it forever.
    /// </summary>
    internal TimeSpan TurnWait { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Waits (within the call's deadline and <see cref="TurnWait"/>) until no other import runs on this replica;
    /// taken before the stream is read, so an import that waits holds nothing. Dispose to end the turn. Null when the
    /// other import did not end in time (the caller is refused: RESOURCE_EXHAUSTED).
    /// </summary>
    public async Task<IDisposable?> TakeTurnAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            if (!await _oneAtATime.WaitAsync(TurnWait, cancellationToken))
            {
                return null;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        return new Turn(_oneAtATime);
    }

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

    private sealed class Turn(SemaphoreSlim turns) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                turns.Release();
            }
        }
    }
}
