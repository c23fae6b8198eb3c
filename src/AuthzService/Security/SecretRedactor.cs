using System.Data.Common;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Snapshots;
using Qbee.Authz.Service.Storage;
using StackExchange.Redis;

namespace Qbee.Authz.Service.Security;

/// <summary>
/// Keeps the configured secrets (the Redis password, the password of the SQL connection string) out of text that
/// reaches a log line or GetStatus (a store's or Redis's error message): they are masked. The Redis configuration
/// itself is only ever shown through <c>ConfigurationOptions.ToString(includePassword: false)</c>.
/// </summary>
internal sealed class SecretRedactor
{
    public const string Mask = "***";

    private static readonly string[] PasswordKeys = ["password", "pwd"];

    private readonly string[] _secrets;

    public SecretRedactor(IOptions<SyncOptions> sync, IOptions<StoreOptions> store)
    {
        _secrets = [.. new[] { RedisPassword(sync.Value.Configuration) }
            .Concat(ConnectionStringPasswords(store.Value.EffectiveConnectionString))
            .Where(s => !string.IsNullOrEmpty(s))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s!.Length)
            .Cast<string>()];
    }

    /// <summary><paramref name="text"/> with every configured secret masked.</summary>
    public string Redact(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }

    private static string? RedisPassword(string configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration))
        {
            return null;
        }

        try
        {
            return ConfigurationOptions.Parse(configuration).Password;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static IEnumerable<string?> ConnectionStringPasswords(string connectionString)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            return [];
        }

        return PasswordKeys.Select(key => builder.TryGetValue(key, out var value) ? value?.ToString() : null);
    }
}
