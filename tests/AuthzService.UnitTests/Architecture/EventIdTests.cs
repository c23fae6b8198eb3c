using System.Reflection;
using Microsoft.Extensions.Logging;
using Qbee.Authz.Service.Hosting;

namespace Qbee.Authz.Service.UnitTests.Architecture;

/// <summary>Event ids are what operators and tests search for: each is unique and written down in docs/EVENT-IDS.md.</summary>
public sealed class EventIdTests
{
    private static readonly List<(int Id, string Name, string Level, string Folder)> LogMethods =
    [
        .. typeof(AuthzApp).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (m.Attribute!.EventId, m.Method.Name, m.Attribute.Level.ToString(), FolderOf(m.Method.DeclaringType!))),
    ];

    [Fact]
    public void LoggerMessages_InTheAssembly_AreFound()
    {
        Assert.Contains(LogMethods, m => m is { Id: 10, Name: "UnexpectedError", Folder: "Grpc" });
    }

    [Fact]
    public void LoggerMessages_EventIds_AreUnique()
    {
        var shared = LogMethods.GroupBy(m => m.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}");

        Assert.Empty(shared);
    }

    [Fact]
    public void EventIdTable_ListsEveryLoggerMessage_AndNothingElse()
    {
        var table = File.ReadLines(RepositoryFiles.PathOf("docs", "EVENT-IDS.md"))
            .Select(line => line.Split('|', StringSplitOptions.TrimEntries))
            .Where(cells => cells.Length == 6 && int.TryParse(cells[1], out _))
            .Select(cells => (Id: int.Parse(cells[1]), Name: cells[2], Level: cells[3], Folder: cells[4]))
            .OrderBy(r => r.Id)
            .ToList();

        Assert.Equal(LogMethods.OrderBy(m => m.Id).ToList(), table);
    }

    /// <summary>The folder of src/AuthzService a type is in: the namespace's segment after Qbee.Authz.Service.</summary>
    private static string FolderOf(Type type) => type.Namespace!.Split('.')[3];
}
