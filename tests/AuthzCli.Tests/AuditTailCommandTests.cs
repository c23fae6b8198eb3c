namespace Qbee.Authz.Cli.Tests;

public sealed class AuditTailCommandTests(AcmeServer acme) : IClassFixture<AcmeServer>
{
    [Fact]
    public async Task AuditTail_NoAfter_StartsAfterTheNewestAndEndsCleanlyOnCtrlC()
    {
        var newest = (await acme.Server.Admin.ListAuditEventsAsync(new V1.ListAuditEventsRequest { AccountId = "acme", PageSize = 1 })).Events[0].EventId;
        var output = new WatchedWriter();
        var error = new WatchedWriter();
        using var ctrlC = new CancellationTokenSource();

        var tail = Cli.RunAsync(["audit", "tail", "--account", "acme", "--address", acme.Server.Address], environment: null, output: output, error: error, cancellationToken: ctrlC.Token);
        await error.WaitForAsync(t => t.Contains("following the audit events of acme after #", StringComparison.Ordinal), "start line");
        await acme.Server.Admin.PutUserAsync(new V1.PutUserRequest { User = Fleet.User("acme", "acme-erin") });
        await output.WaitForAsync(t => t.Contains("admin.put_user", StringComparison.Ordinal), "put_user event");
        ctrlC.Cancel();
        var result = await tail;

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"after #{newest} ", result.Error);
        var line = Assert.Single(result.OutLines); // nothing from before the tail started
        Assert.True(long.Parse(line.Split(' ')[0].TrimStart('#')) > newest, line);
        Assert.Contains(" acme admin.put_user ", line);
    }

    [Fact]
    public async Task AuditTail_AfterZeroJson_ReplaysTheStoredEventsInCommitOrder()
    {
        var stored = (await acme.Server.Admin.ListAuditEventsAsync(new V1.ListAuditEventsRequest { AccountId = "acme", PageSize = 1000 })).Events;
        var output = new WatchedWriter();
        using var ctrlC = new CancellationTokenSource();

        var tail = Cli.RunAsync(["audit", "tail", "--account", "acme", "--after", "0", "--json", "--address", acme.Server.Address], environment: null, output: output, cancellationToken: ctrlC.Token);
        await output.WaitForAsync(t => t.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= stored.Count, "every stored event");
        ctrlC.Cancel();
        var result = await tail;

        Assert.Equal(0, result.ExitCode);
        var events = result.OutLines.Select(Output.ProtoJson.Parser.Parse<V1.AuditEvent>).ToList();
        Assert.Equal(stored.Select(e => e.EventId).Reverse(), events.Take(stored.Count).Select(e => e.EventId)); // ListAuditEvents is newest first
    }

    [Fact]
    public async Task AuditTail_MalformedAccount_PrintsTheStatusLine()
    {
        var result = await Cli.RunAsync(acme.Server, "audit", "tail", "--account", "not an id");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("qbee-authz: INVALID_ARGUMENT: account_id", result.Error);
    }
}
