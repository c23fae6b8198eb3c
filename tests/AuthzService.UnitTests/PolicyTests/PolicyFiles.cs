using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.PolicyTests;

namespace Qbee.Authz.Service.UnitTests.PolicyTests;

/// <summary>Small policy test files for the tests: a base account and ways to read, write and compare them.</summary>
internal static class PolicyFiles
{
    /// <summary>ops may console and tunnel to ssh on prod devices and download below /var/log; the lab group has remote access off.</summary>
    public const string Base = """
        account: {id: acme, name: Acme}
        roles:
          - id: ops
            name: Ops
            policies:
              - permission: device:read
              - permission: remote-access:connect
                resources:
                  - tag:prod/console
                  - tag:prod/tunnel(proto=tcp;port=22;dst=localhost)
                  - tag:prod/copy(direction=download;path=/var/log)
          - id: owner
            name: Owner
            policies:
              - permission: users:manage
        users:
          - {id: bob, email: bob@acme.example, roles: [ops]}
          - {id: olga, email: olga@acme.example, roles: [owner]}
          - {id: dan, email: dan@acme.example, roles: [ops], status: disabled}
        tree:
          remote_access: enabled
          children:
            - group: prod
              children:
                - device: d1
                  tags: [prod]
            - group: lab
              remote_access: disabled
              children:
                - device: d2
                  tags: [prod]
                - device: console
                  tags: [prod]
        """;

    public static string WithAssertions(params string[] lines) =>
        Base + "\nassertions:\n" + string.Concat(lines.Select(line => line.StartsWith("  ", StringComparison.Ordinal) ? line + "\n" : $"  - {line}\n"));

    public static PolicyTestFile Load(string text) => PolicyFileLoader.Load("test.yaml", new StringReader(text));

    public static PolicyFileException LoadError(string text) => Assert.Throws<PolicyFileException>(() => Load(text));

    public static string Write(AccountData rows)
    {
        var output = new StringWriter();
        PolicyTestFileWriter.Write(rows, output);
        return output.ToString();
    }

    /// <summary>The rows as sorted lines, so two AccountData compare by content.</summary>
    public static string Describe(AccountData rows)
    {
        var lines = new List<string> { $"account {rows.Account.AccountId} '{rows.Account.Name}'" };
        lines.AddRange(rows.Roles.Select(r => $"role {r.RoleId} '{r.Name}' '{r.Description}' "
            + string.Join(" | ", r.Policies.Select(p => $"{p.Permission} [{string.Join(", ", p.Resources)}]"))));
        lines.AddRange(rows.Users.Select(u => $"user {u.UserId} {u.Email} '{u.FirstName}' '{u.LastName}' [{string.Join(", ", u.RoleIds)}] {u.Status}"));
        lines.AddRange(rows.Nodes.Select(n => $"node {n.NodeId} {n.Kind} parent={n.ParentId} '{n.Title}' [{string.Join(", ", n.Tags)}] agentOff={n.AgentRemoteAccessDisabled}"));
        lines.AddRange(rows.RemoteAccessSettings.Select(s => $"setting {s.TargetKind} {s.Target} {s.Enabled}"
            + (s.TargetKind == RemoteAccessTarget.Tag ? $" @{s.ChangedRevision}" : string.Empty)));
        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines);
    }

    /// <summary>Runs text as a file through the command, as the CLI does.</summary>
    public static (int Exit, string Output, string Error) Run(params string[] texts)
    {
        var directory = Directory.CreateTempSubdirectory("policy-tests-");
        try
        {
            var paths = texts.Select((text, i) =>
            {
                var path = Path.Combine(directory.FullName, $"file{i}.yaml");
                File.WriteAllText(path, text);
                return path;
            }).ToArray();
            var output = new StringWriter();
            var error = new StringWriter();
            var exit = PolicyTestCommand.Run(paths, output, error);
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
