using Microsoft.Data.SqlClient;

namespace Qbee.Authz.Service.Storage.SqlServer;

/// <summary>The SQL Server half of <see cref="StoreFaults"/>, by error number.</summary>
internal static class SqlServerFaults
{
    public static StoreFault Classify(SqlException e) => e.Number switch
    {
        // duplicate key, constraint, NULL, truncation, overflow, conversion
        2627 or 2601 or 547 or 515 or 8152 or 2628 or 8115 or 220 or 232 or 245 or 8114 => StoreFault.Refusal,
        _ => e.IsTransient ? StoreFault.Outage : StoreFault.Unknown,
    };
}
