using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.TestKit;
using Qbee.Authz.TestKit.Accounts;
using Qbee.Authz.V1;
using ProtoRecord = Qbee.Authz.V1.AccountRecord;

namespace Qbee.Authz.Harness;

/// <summary>
/// <c>--export</c>: ImportAccount and ExportAccount on a large account (issue 17: 100,000 devices and 10,000 users,
/// import at most 15 s, export at most 5 s). The generated benchmark account (<see cref="AccountGenerator"/>) with
/// users added up to the count, sent to the service as its own OS process (the Release build) on SQLite over
/// loopback: imported new, exported (each record read), then imported again with replace. Each time is a Stopwatch
/// from the call's start to its answer (an import's answer comes once the replica's snapshot is at its revision).
/// </summary>
internal static class ExportImportBenchmark
{
    private const int Exports = 3;
    private const int Replaces = 2;

    public static async Task<int> RunAsync(int devices, int users)
    {
        Console.WriteLine($"export/import benchmark: {devices:N0} devices, {users:N0} users; {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var data = WithUsers(AccountGenerator.Generate(devices), users);
        var records = ExportMapping.ToRecords(data).ToList();
        Console.WriteLine($"account: {data.Roles.Count} roles, {data.Users.Count:N0} users, {data.Nodes.Count:N0} nodes, {data.RemoteAccessSettings.Count:N0} settings; "
            + $"{records.Count:N0} records, {records.Sum(r => (long)r.CalculateSize()) / 1e6:F1} MB as protobuf");

        var dataDirectory = Path.Combine(Path.GetTempPath(), "qbee-authz-export", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        try
        {
            await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x2000000" }, dataDirectory);
            var imported = await TimeAsync(() => ImportAsync(service, records));
            Console.WriteLine($"import (new account): {imported.Seconds:F2} s, revision {imported.Result.Revision}");

            List<ProtoRecord> exported = [];
            for (var i = 0; i < Exports; i++)
            {
                var export = await TimeAsync(() => ExportAsync(service, data.Account.AccountId, replace: true));
                exported = export.Result;
                Console.WriteLine($"export {i + 1}: {export.Seconds:F2} s, {exported.Count:N0} records");
            }

            for (var i = 0; i < Replaces; i++)
            {
                var replaced = await TimeAsync(() => ImportAsync(service, exported));
                Console.WriteLine($"import (replace) {i + 1}: {replaced.Seconds:F2} s, revision {replaced.Result.Revision}");
            }

            var check = await service.Authz.CheckAsync(new CheckRequest { UserId = AccountGenerator.TagReader, Permission = "device:read" });
            Console.WriteLine($"a check after the imports: {check.Reason} at revision {check.Revision}");
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }

        return 0;
    }

    /// <summary>The generated account's 1,000 users and more like them, up to <paramref name="users"/>.</summary>
    private static AccountData WithUsers(AccountData data, int users)
    {
        var random = new Random(17);
        var all = data.Users.ToList();
        for (var i = all.Count; i < users; i++)
        {
            var roles = Enumerable.Range(0, random.Next(1, 4)).Select(_ => data.Roles[random.Next(data.Roles.Count)].RoleId).Distinct().ToArray();
            all.Add(AccountRecords.User(data.Account.AccountId, $"user-{i:D5}", random.Next(30) == 0, roles));
        }

        return data with { Users = all };
    }

    private static async Task<ImportAccountResponse> ImportAsync(ServiceProcess service, IEnumerable<ProtoRecord> records)
    {
        using var call = service.Admin.ImportAccount(deadline: DateTime.UtcNow.AddMinutes(5));

        // As a client should send a large stream: flushed every 256 records, not after each.
        var buffered = new WriteOptions(WriteFlags.BufferHint);
        var written = 0;
        foreach (var record in records)
        {
            call.RequestStream.WriteOptions = ++written % 256 == 0 ? null : buffered;
            await call.RequestStream.WriteAsync(record);
        }

        await call.RequestStream.CompleteAsync();
        return await call;
    }

    private static async Task<List<ProtoRecord>> ExportAsync(ServiceProcess service, string accountId, bool replace)
    {
        using var call = service.Admin.ExportAccount(new ExportAccountRequest { AccountId = accountId, Replace = replace }, deadline: DateTime.UtcNow.AddMinutes(5));
        var records = new List<ProtoRecord>();
        await foreach (var record in call.ResponseStream.ReadAllAsync())
        {
            records.Add(record);
        }

        return records;
    }

    private static async Task<(T Result, double Seconds)> TimeAsync<T>(Func<Task<T>> call)
    {
        var watch = Stopwatch.StartNew();
        var result = await call();
        return (result, watch.Elapsed.TotalSeconds);
    }
}
