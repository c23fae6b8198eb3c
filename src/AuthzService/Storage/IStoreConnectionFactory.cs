using System.Data.Common;

namespace Qbee.Authz.Service.Storage;

/// <summary>Opens short-lived connections (the driver pools them) and starts transactions the provider's way.</summary>
internal interface IStoreConnectionFactory
{
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A write transaction serialises with every other write of the same data; a read transaction sees one
    /// consistent snapshot and does not block writers.
    /// </summary>
    ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, bool write, CancellationToken cancellationToken);
}
