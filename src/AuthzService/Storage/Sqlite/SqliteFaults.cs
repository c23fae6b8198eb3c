using Microsoft.Data.Sqlite;

namespace Qbee.Authz.Service.Storage.Sqlite;

/// <summary>The SQLite half of <see cref="StoreFaults"/>, by result code (https://www.sqlite.org/rescode.html).</summary>
internal static class SqliteFaults
{
    private const int SqliteTooBig = 18, SqliteConstraint = 19, SqliteMismatch = 20, SqliteRange = 25;

    public static StoreFault Classify(SqliteException e) => e.SqliteErrorCode switch
    {
        SqliteTooBig or SqliteConstraint or SqliteMismatch or SqliteRange => StoreFault.Refusal,
        // busy, locked, out of memory, read-only, interrupted, I/O, corrupt, full, cannot open, protocol, not a database
        5 or 6 or 7 or 8 or 9 or 10 or 11 or 13 or 14 or 15 or 22 or 23 or 26 => StoreFault.Outage,
        _ => StoreFault.Unknown,
    };
}
