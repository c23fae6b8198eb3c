using System.Security.Cryptography;
using System.Text;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Security;

namespace Qbee.Authz.Service.Security;

/// <summary>
/// <c>new-token --name NAME --scopes check[,admin]</c>: prints a fresh caller token, its SHA-256 and the
/// settings that admit it, then exits; the server is not started. The token is shown once and stored nowhere.
/// </summary>
internal static class TokenCommand
{
    public const string Name = "new-token";
    private const string Usage = "usage: new-token --name NAME --scopes check|admin|check,admin";

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == Name;

    /// <returns>The exit code: 0, or 2 on bad arguments.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string? name = null;
        string? scopes = null;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--name" when i + 1 < args.Length:
                    name = args[++i];
                    break;
                case "--scopes" when i + 1 < args.Length:
                    scopes = args[++i];
                    break;
                default:
                    error.WriteLine($"new-token: unexpected argument '{args[i]}'");
                    error.WriteLine(Usage);
                    return 2;
            }
        }

        var scopeList = (scopes ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (name is null || !Ids.IsValidId(name) || scopeList.Length == 0 || !scopeList.All(s => CallerScopeNames.TryParse(s, out _)))
        {
            error.WriteLine($"new-token: give a --name of 1..{Ids.MaxLength} characters of [A-Za-z0-9._-] and --scopes among check, admin");
            error.WriteLine(Usage);
            return 2;
        }

        var (token, hash) = NewToken();
        var jsonScopes = string.Join(", ", scopeList.Distinct().Select(s => $"\"{s}\""));
        var text = new StringBuilder()
            .AppendLine($"Token of caller '{name}' (give it to the caller, who sends 'authorization: Bearer <token>'; it is not shown again):")
            .AppendLine($"  {token}")
            .AppendLine()
            .AppendLine("Its SHA-256, the only part the service is told:")
            .AppendLine($"  {hash}")
            .AppendLine()
            .AppendLine("appsettings.json (add to the Authz:Callers list):")
            .AppendLine($"  \"Authz\": {{ \"Callers\": [ {{ \"Name\": \"{name}\", \"TokenSha256\": \"{hash}\", \"Scopes\": [ {jsonScopes} ] }} ] }}")
            .AppendLine()
            .AppendLine("Environment variables, for a shell (0: the caller's index in the list):")
            .AppendLine($"  export Authz__Callers__0__Name={name}")
            .AppendLine($"  export Authz__Callers__0__TokenSha256={hash}");
        var index = 0;
        foreach (var scope in scopeList.Distinct())
        {
            text.AppendLine($"  export Authz__Callers__0__Scopes__{index++}={scope}");
        }

        output.Write(text.ToString());
        return 0;
    }

    /// <summary>32 random bytes as base64url (43 characters), and the SHA-256 of that text as lowercase hex.</summary>
    public static (string Token, string Sha256) NewToken()
    {
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (token, Sha256Hex(token));
    }

    public static string Sha256Hex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
