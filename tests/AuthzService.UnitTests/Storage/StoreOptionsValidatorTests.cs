using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Storage;
using Qbee.Authz.TestKit;

namespace Qbee.Authz.Service.UnitTests.Storage;

public sealed class StoreOptionsValidatorTests
{
    private static readonly StoreOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var options = new StoreOptions();

        Assert.True(Validator.Validate(null, options).Succeeded);
        Assert.Equal(("Sqlite", "Data Source=data/authz.db"), (options.Provider, options.EffectiveConnectionString));
    }

    [Theory]
    [InlineData("MySql")]
    [InlineData("")]
    public void Validate_OtherProvider_FailsNamingTheSetting(string provider)
    {
        var result = Validator.Validate(null, new StoreOptions { Provider = provider });

        Assert.True(result.Failed);
        Assert.Contains("Authz:Store:Provider", result.FailureMessage);
        Assert.Contains(provider, result.FailureMessage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Data Source=")]
    [InlineData("Nonsense Keyword=1")]
    public void Validate_BadConnectionString_Fails(string connectionString)
    {
        var result = Validator.Validate(null, new StoreOptions { ConnectionString = connectionString });

        Assert.True(result.Failed);
        Assert.Contains("Authz:Store:ConnectionString", result.FailureMessage);
    }

    [Theory]
    [InlineData("SqlServer")]
    [InlineData("sqlserver")]
    public void Validate_SqlServerWithConnectionString_Succeeds(string provider)
    {
        var result = Validator.Validate(null, new StoreOptions
        {
            Provider = provider,
            ConnectionString = "Server=db.example;Database=qbee_authz;User Id=authz;Password=secret;TrustServerCertificate=True",
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_SqlServerWithoutConnectionString_FailsSayingItIsRequired(string? connectionString)
    {
        var result = Validator.Validate(null, new StoreOptions { Provider = "SqlServer", ConnectionString = connectionString });

        Assert.True(result.Failed);
        Assert.Contains("Authz:Store:ConnectionString is required with Provider 'SqlServer' (there is no default)", result.FailureMessage);
    }

    [Theory]
    [InlineData("Nonsense Keyword=1", "not a valid SQL Server connection string")]
    [InlineData("Database=qbee_authz", "must name the server")]
    [InlineData("Server=db.example", "must name the database")]
    public void Validate_SqlServerBadConnectionString_FailsNamingTheProblem(string connectionString, string message)
    {
        var result = Validator.Validate(null, new StoreOptions { Provider = "SqlServer", ConnectionString = connectionString });

        Assert.True(result.Failed);
        Assert.Contains("Authz:Store:ConnectionString", result.FailureMessage);
        Assert.Contains(message, result.FailureMessage);
    }

    [Theory]
    [InlineData("Server=db;Database=a;User Id=u;Password=s3cr3t-Sql;Encrypt=maybe")]
    [InlineData("Server=db;Database=a;User Id=u;Password=s3cr3t-Sql;Nonsense Keyword=1")]
    [InlineData("Server=db;Database=a;User Id=u;Password=s3cr3t-Sql;Connect Timeout=soon")]
    [InlineData("Server=db;Database=a;User Id=u;Password='s3cr3t-Sql")]
    public void Validate_SqlServerBadConnectionStringWithAPassword_NeverEchoesThePassword(string connectionString)
    {
        var result = new StoreOptionsValidator().Validate(null, new StoreOptions { Provider = "SqlServer", ConnectionString = connectionString });

        Assert.True(result.Failed);
        Assert.DoesNotContain("s3cr3t", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void AddStorage_SqlServerWithoutConnectionString_FailsWhenOptionsAreRead()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Authz:Store:Provider"] = "SqlServer" })
            .Build();
        using var services = new ServiceCollection().AddStorage(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<StoreOptions>>().Value);

        Assert.Contains("Authz:Store:ConnectionString is required", error.Message);
    }

    [Fact]
    public void AddStorage_SqlServer_ResolvesAStoreWithoutConnecting()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Authz:Store:Provider"] = "SqlServer",
                ["Authz:Store:ConnectionString"] = "Server=127.0.0.1,1;Database=qbee_authz;Integrated Security=False;User Id=u;Password=p",
            })
            .Build();
        using var services = new ServiceCollection().AddStorage(configuration).BuildServiceProvider();

        Assert.IsType<SqlAuthzStore>(services.GetRequiredService<IAuthzStore>());
    }

    [Fact]
    public void AddStorage_BadProvider_FailsWhenOptionsAreRead()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Authz:Store:Provider"] = "MySql" })
            .Build();
        using var services = new ServiceCollection().AddStorage(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<StoreOptions>>().Value);

        Assert.Contains("not supported", error.Message);
    }

    [Fact]
    public async Task AddStorage_Configured_ResolvesAWorkingStore()
    {
        var directory = Path.Combine(Path.GetTempPath(), "authz-store-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Authz:Store:ConnectionString"] = $"Data Source={Path.Combine(directory, "nested", "authz.db")};Pooling=False",
                })
                .Build();
            await using var services = new ServiceCollection().AddStorage(configuration).BuildServiceProvider();

            var store = services.GetRequiredService<IAuthzStore>();
            await store.InitializeAsync(CancellationToken.None);
            await store.PingAsync(CancellationToken.None);

            Assert.Same(store, services.GetRequiredService<IAuthzStore>());
            Assert.True(File.Exists(Path.Combine(directory, "nested", "authz.db")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("postgres")]
    public void Validate_PostgresWithConnectionString_Succeeds(string provider)
    {
        var result = Validator.Validate(null, new StoreOptions
        {
            Provider = provider,
            ConnectionString = "Host=db.example;Database=qbee_authz;Username=authz;Password=secret;SSL Mode=Require",
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_PostgresWithoutConnectionString_FailsSayingItIsRequired(string? connectionString)
    {
        var result = Validator.Validate(null, new StoreOptions { Provider = "Postgres", ConnectionString = connectionString });

        Assert.True(result.Failed);
        Assert.Contains("Authz:Store:ConnectionString is required with Provider 'Postgres' (there is no default)", result.FailureMessage);
    }

    [Theory]
    [InlineData("Nonsense Keyword=1", "not a valid PostgreSQL connection string")]
    [InlineData("Database=qbee_authz", "must name the server")]
    [InlineData("Host=db.example", "must name the database")]
    public void Validate_PostgresBadConnectionString_FailsNamingTheProblem(string connectionString, string message)
    {
        var result = Validator.Validate(null, new StoreOptions { Provider = "Postgres", ConnectionString = connectionString });

        Assert.True(result.Failed);
        Assert.Contains("Authz:Store:ConnectionString", result.FailureMessage);
        Assert.Contains(message, result.FailureMessage);
    }

    [Theory]
    [InlineData("Host=db;Database=a;Username=u;Password=s3cr3t-Pg;SSL Mode=maybe")]
    [InlineData("Host=db;Database=a;Username=u;Password=s3cr3t-Pg;Nonsense Keyword=1")]
    [InlineData("Host=db;Database=a;Username=u;Password=s3cr3t-Pg;Port=soon")]
    [InlineData("Host=db;Database=a;Username=u;Password='s3cr3t-Pg")]
    public void Validate_PostgresBadConnectionStringWithAPassword_NeverEchoesThePassword(string connectionString)
    {
        var result = Validator.Validate(null, new StoreOptions { Provider = "Postgres", ConnectionString = connectionString });

        Assert.True(result.Failed);
        Assert.DoesNotContain("s3cr3t", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddStorage_Postgres_ResolvesAWorkingStore()
    {
        var server = await PostgresServer.SharedAsync();
        var connectionString = await server.CreateDatabaseAsync();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Authz:Store:Provider"] = "Postgres",
                ["Authz:Store:ConnectionString"] = connectionString,
            })
            .Build();
        await using (var services = new ServiceCollection().AddStorage(configuration).BuildServiceProvider())
        {
            var store = services.GetRequiredService<IAuthzStore>();
            await store.InitializeAsync(CancellationToken.None);
            await store.PingAsync(CancellationToken.None);

            Assert.Empty(await store.ListAccountsAsync(CancellationToken.None));
        }

        await server.DropDatabaseAsync(new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!);
    }
}
