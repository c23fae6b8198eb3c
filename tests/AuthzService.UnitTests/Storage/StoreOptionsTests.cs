using Qbee.Authz.Service.Storage;

namespace Qbee.Authz.Service.UnitTests.Storage;

public sealed class StoreOptionsTests
{
    [Fact]
    public void DescribeLocation_DefaultSqlite_IsTheFullPathUnderTheWorkingDirectory()
    {
        var location = new StoreOptions().DescribeLocation();

        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "data", "authz.db"), location);
    }

    [Fact]
    public void DescribeLocation_SqlServer_NamesServerAndDatabaseNeverThePassword()
    {
        var options = new StoreOptions
        {
            Provider = StoreOptions.SqlServerProvider,
            ConnectionString = "Server=sql.example,1433;Database=qbee_authz;User Id=authz;Password=s3cret-Pa55",
        };

        var location = options.DescribeLocation();

        Assert.Equal("sql.example,1433, database qbee_authz", location);
        Assert.DoesNotContain("s3cret", location, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeLocation_Postgres_NamesHostPortAndDatabaseNeverThePassword()
    {
        var options = new StoreOptions
        {
            Provider = StoreOptions.PostgresProvider,
            ConnectionString = "Host=pg.example;Port=5433;Database=qbee_authz;Username=authz;Password=s3cret-Pa55",
        };

        var location = options.DescribeLocation();

        Assert.Equal("pg.example:5433, database qbee_authz", location);
        Assert.DoesNotContain("s3cret", location, StringComparison.Ordinal);
    }
}
