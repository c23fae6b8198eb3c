using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>An account held for a call: not evicted until disposed.</summary>
internal sealed class AccountHold(AccountSlot slot) : IDisposable
{
    private int _disposed;

    public AccountSnapshot? Current => slot.Current;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            slot.Exit();
        }
    }
}
