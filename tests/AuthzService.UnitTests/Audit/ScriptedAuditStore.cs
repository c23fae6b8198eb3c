using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Audit;

/// <summary>
/// A store that takes only audit appends, and does with each what the test says: keeps the events, throws, or
/// blocks until the test lets it go. Everything else is not the audit writer's business and throws.
/// </summary>
internal sealed class ScriptedAuditStore : IAuditStore
{
    private readonly Lock _gate = new();
    private readonly List<AuditRecord> _committed = [];
    private TaskCompletionSource _entered = NewSignal();
    private TaskCompletionSource? _blocked;

    /// <summary>Thrown by each append while set; with <see cref="Refuses"/>, only for the batches it matches.</summary>
    public Func<Exception>? Failure { get; set; }

    /// <summary>The events whose batch <see cref="Failure"/> fails; null: every batch.</summary>
    public Func<AuditRecord, bool>? Refuses { get; set; }

    public int Appends { get; private set; }

    public IReadOnlyList<AuditRecord> Committed
    {
        get
        {
            lock (_gate)
            {
                return [.. _committed];
            }
        }
    }

    /// <summary>Completes when the next append starts (after this is read).</summary>
    public Task Entered
    {
        get
        {
            lock (_gate)
            {
                return _entered.Task;
            }
        }
    }

    /// <summary>Appends wait from now on until <see cref="Release"/>.</summary>
    public void Block()
    {
        lock (_gate)
        {
            _blocked = NewSignal();
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _blocked?.TrySetResult();
            _blocked = null;
        }
    }

    public Task AppendAuditEventsAsync(IReadOnlyList<AuditRecord> events, CancellationToken cancellationToken)
    {
        Task? blocked;
        lock (_gate)
        {
            Appends++;
            _entered.TrySetResult();
            _entered = NewSignal();
            blocked = _blocked?.Task;
        }

        blocked?.GetAwaiter().GetResult(); // the writer calls synchronously, on its own thread
        if (Failure is { } failure && (Refuses is null || events.Any(Refuses)))
        {
            throw failure();
        }

        lock (_gate)
        {
            _committed.AddRange(events);
        }

        return Task.CompletedTask;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<IReadOnlyList<AuditRecord>> ListAuditEventsAsync(AuditQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<AuditPurgeBatch> DeleteAuditEventsBeforeAsync(DateTimeOffset cutoff, int maxSegments, CancellationToken cancellationToken) => throw new NotSupportedException();
}
