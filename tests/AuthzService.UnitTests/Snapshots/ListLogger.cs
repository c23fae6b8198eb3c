using Microsoft.Extensions.Logging;

namespace Qbee.Authz.Service.UnitTests.Snapshots;

/// <summary>Keeps every log line, for tests that assert what was logged (and how often).</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly List<(EventId EventId, string Message)> _lines = [];

    public IReadOnlyList<(EventId EventId, string Message)> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public int Count(int eventId) => Lines.Count(l => l.EventId.Id == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
        {
            _lines.Add((eventId, formatter(state, exception)));
        }
    }
}
