using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;
using Qbee.Authz.Service.Storage.Postgres;
using Qbee.Authz.Service.Storage.Sqlite;
using Qbee.Authz.Service.Storage.SqlServer;

namespace Qbee.Authz.Service.Storage;

/// <summary>Why a write failed: the store, or the data written.</summary>
internal enum StoreFault
{
    /// <summary>The store cannot take writes now (down, locked, full, unreachable): retry the same data later.</summary>
    Outage,

    /// <summary>The store refuses this data and always will (a constraint, a value too big): retrying cannot help.</summary>
    Refusal,

    /// <summary>Neither is known: an outage until the store is seen to take other data.</summary>
    Unknown,
}

internal static class StoreFaults
{
    /// <summary>
    /// True when <paramref name="exception"/> is the store failing (any provider's error), not a bug: the caller
    /// answers UNAVAILABLE. <see cref="Classify"/> then says whether retrying the same data can help.
    /// </summary>
    public static bool IsStoreFailure(Exception exception) => exception is DbException;

    public static StoreFault Classify(Exception exception) => exception switch
    {
        SqliteException e => SqliteFaults.Classify(e),
        SqlException e => SqlServerFaults.Classify(e),
        NpgsqlException e => PostgresFaults.Classify(e),
        DbException { IsTransient: true } or TimeoutException or IOException or System.Net.Sockets.SocketException => StoreFault.Outage,
        _ => StoreFault.Unknown,
    };
}
