using Npgsql;

namespace Qbee.Authz.Service.Storage.Postgres;

/// <summary>
/// The PostgreSQL half of <see cref="StoreFaults"/>, by SQLSTATE class
/// (https://www.postgresql.org/docs/current/errcodes-appendix.html); Npgsql's own errors (connection refused or reset,
/// a timeout) carry no SQLSTATE and are an outage when Npgsql calls them transient.
/// </summary>
internal static class PostgresFaults
{
    public static StoreFault Classify(NpgsqlException e) => e switch
    {
        // data exception (a value too long, out of range, bad encoding), integrity constraint violation
        PostgresException { SqlState: [ '2', '2', ..] or [ '2', '3', ..] } => StoreFault.Refusal,

        // connection exception (08), serialization failure and deadlock (40001, 40P01), insufficient resources (53:
        // disk full, too many connections), operator intervention (57: admin or crash shutdown, cannot connect now,
        // statement timeout), system error (58), lock not available (55P03), a read-only transaction (25006: a standby
        // after a failover)
        PostgresException { SqlState: [ '0', '8', ..] or "40001" or "40P01" or [ '5', '3', ..] or [ '5', '7', ..] or [ '5', '8', ..] or "55P03" or "25006" }
            => StoreFault.Outage,
        PostgresException => StoreFault.Unknown,
        _ => e.IsTransient ? StoreFault.Outage : StoreFault.Unknown,
    };
}
