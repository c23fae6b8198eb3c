using Npgsql;
using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Storage.Postgres;

public sealed class PostgresFaultsTests
{
    [Theory]
    [InlineData("23505")] // unique violation
    [InlineData("23503")] // foreign key violation
    [InlineData("22001")] // string too long
    [InlineData("22003")] // numeric out of range
    public void Classify_DataTheStoreRefuses_IsRefusal(string sqlState) =>
        Assert.Equal(StoreFault.Refusal, StoreFaults.Classify(Error(sqlState)));

    [Theory]
    [InlineData("08006")] // connection failure
    [InlineData("40001")] // serialization failure
    [InlineData("40P01")] // deadlock
    [InlineData("57P01")] // admin shutdown (a restart, a failover)
    [InlineData("57P03")] // cannot connect now (starting up)
    [InlineData("53100")] // disk full
    [InlineData("53300")] // too many connections
    [InlineData("25006")] // read-only transaction: a standby after a failover
    public void Classify_TheServerFailing_IsOutage(string sqlState) =>
        Assert.Equal(StoreFault.Outage, StoreFaults.Classify(Error(sqlState)));

    [Fact]
    public void Classify_AnotherServerError_IsUnknown() =>
        Assert.Equal(StoreFault.Unknown, StoreFaults.Classify(Error("42P01"))); // undefined table

    [Fact]
    public void Classify_ConnectionResetWithoutSqlState_IsOutage()
    {
        var reset = new NpgsqlException("Exception while reading from stream", new IOException("Connection reset by peer"));

        Assert.True(StoreFaults.IsStoreFailure(reset));
        Assert.Equal(StoreFault.Outage, StoreFaults.Classify(reset));
    }

    private static PostgresException Error(string sqlState) => new("test", "ERROR", "ERROR", sqlState);
}
