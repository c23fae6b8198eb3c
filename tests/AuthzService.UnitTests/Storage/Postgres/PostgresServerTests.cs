using Dapper;
using Npgsql;
using Qbee.Authz.TestKit;

namespace Qbee.Authz.Service.UnitTests.Storage.Postgres;

/// <summary>The TestKit fixture the PostgreSQL tests stand on: a real server, databases on it, a crash and a restart.</summary>
public sealed class PostgresServerTests
{
    [Fact]
    public async Task CreateDatabaseAsync_SharedServer_ConnectsOverLoopbackToAnEmptyDatabase()
    {
        var server = await PostgresServer.SharedAsync();

        var connectionString = await server.CreateDatabaseAsync();
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            Assert.Equal(database, await connection.ExecuteScalarAsync<string>("SELECT current_database()"));
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"));
            Assert.StartsWith("15", await connection.ExecuteScalarAsync<string>("SHOW server_version"), StringComparison.Ordinal);
            Assert.Equal("off", await connection.ExecuteScalarAsync<string>("SHOW fsync"));
        }
        finally
        {
            await server.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task RestartAsync_AfterKill_KeepsCommittedRowsAndPort()
    {
        await using var server = await PostgresServer.StartAsync();
        var connectionString = server.ConnectionString();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.ExecuteAsync("CREATE TABLE t (id int); INSERT INTO t VALUES (7)");
        }

        await server.KillAsync();
        await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
            await connection.OpenAsync();
        });
        NpgsqlConnection.ClearAllPools();
        await server.RestartAsync();

        await using var reopened = new NpgsqlConnection(connectionString);
        Assert.Equal(7, await reopened.ExecuteScalarAsync<int>("SELECT id FROM t"));
    }

    [Fact]
    public async Task DisposeAsync_OwnServer_StopsItAndDeletesItsDirectory()
    {
        var server = await PostgresServer.StartAsync();
        var connectionString = server.ConnectionString();

        await server.DisposeAsync();

        Assert.False(Directory.Exists(server.Directory));
        await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
            await connection.OpenAsync();
        });
    }
}
