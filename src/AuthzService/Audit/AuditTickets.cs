using System.Collections.Concurrent;

namespace Qbee.Authz.Service.Audit;

/// <summary>
/// The pool of <see cref="AuditTicket"/>s, and every ticket ever made, so that the writer's sweep can fail the
/// waits that are overdue or whose store is failing without a timer per check. There are as many tickets as
/// connect checks ever waited at once.
/// </summary>
internal sealed class AuditTickets
{
    private readonly ConcurrentQueue<AuditTicket> _free = new();
    private readonly Lock _growing = new();
    private AuditTicket?[] _all = new AuditTicket?[64]; // filled from the start; doubled when full
    private int _count;
    private long _refusals;

    /// <summary>Connect checks answered UNAVAILABLE because their events were not committed.</summary>
    public long Refusals => Interlocked.Read(ref _refusals);

    public int Count => Volatile.Read(ref _count);

    public AuditTicket Rent() => _free.TryDequeue(out var ticket) ? ticket : Create();

    public void Return(AuditTicket ticket) => _free.Enqueue(ticket);

    public void CountRefusal() => Interlocked.Increment(ref _refusals);

    /// <summary>Fails every wait still running (the store is failing).</summary>
    public void FailAll(string reason)
    {
        foreach (var ticket in Volatile.Read(ref _all))
        {
            ticket?.FailIfWaiting(reason);
        }
    }

    /// <summary>Fails the waits due at <paramref name="now"/> (a TimeProvider timestamp) or before.</summary>
    public void FailOverdue(string reason, long now)
    {
        foreach (var ticket in Volatile.Read(ref _all))
        {
            ticket?.FailIfWaiting(reason, now);
        }
    }

    private AuditTicket Create()
    {
        var ticket = new AuditTicket(this);
        lock (_growing) // only while the pool grows: the most checks waiting at once so far
        {
            if (_count == _all.Length)
            {
                var larger = new AuditTicket?[_all.Length * 2];
                _all.CopyTo(larger, 0);
                Volatile.Write(ref _all, larger);
            }

            Volatile.Write(ref _all[_count], ticket);
            Volatile.Write(ref _count, _count + 1);
        }

        return ticket;
    }
}
