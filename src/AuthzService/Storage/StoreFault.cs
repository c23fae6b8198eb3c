using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

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

    // https://www.sqlite.org/rescode.html
    private const int SqliteTooBig = 18, SqliteConstraint = 19, SqliteMismatch = 20, SqliteRange = 25;

    public static StoreFault Classify(Exception exception) => exception switch
    {
        SqliteException e => e.SqliteErrorCode switch
        {
            SqliteTooBig or SqliteConstraint or SqliteMismatch or SqliteRange => StoreFault.Refusal,
            // busy, locked, out of memory, read-only, interrupted, I/O, corrupt, full, cannot open, protocol, not a database
            5 or 6 or 7 or 8 or 9 or 10 or 11 or 13 or 14 or 15 or 22 or 23 or 26 => StoreFault.Outage,
            _ => StoreFault.Unknown,
        },
        SqlException e => e.Number switch
        {
            // duplicate key, constraint, NULL, truncation, overflow, conversion
            2627 or 2601 or 547 or 515 or 8152 or 2628 or 8115 or 220 or 232 or 245 or 8114 => StoreFault.Refusal,
            _ => e.IsTransient ? StoreFault.Outage : StoreFault.Unknown,
        },
        DbException { IsTransient: true } or TimeoutException or IOException or System.Net.Sockets.SocketException => StoreFault.Outage,
        _ => StoreFault.Unknown,
    };
}
