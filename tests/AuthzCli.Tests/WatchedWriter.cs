using System.Text;

namespace Qbee.Authz.Cli.Tests;

/// <summary>Captured output a test can wait on: <see cref="WaitForAsync"/> completes when the text written so far
/// matches, so a test follows a running command without sleeping.</summary>
internal sealed class WatchedWriter : TextWriter
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly StringBuilder _text = new();
    private readonly List<(Func<string, bool> Predicate, TaskCompletionSource Done)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Append(value.ToString());

    public override void Write(string? value) => Append(value ?? string.Empty);

    public override void WriteLine(string? value) => Append(value + NewLine);

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task FlushAsync() => Task.CompletedTask;

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }

    public async Task WaitForAsync(Func<string, bool> predicate, string what)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_text)
        {
            if (predicate(_text.ToString()))
            {
                return;
            }

            _waiters.Add((predicate, done));
        }

        try
        {
            await done.Task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no {what} within {Timeout}; written so far:\n{this}");
        }
    }

    private void Append(string value)
    {
        lock (_text)
        {
            _text.Append(value);
            var text = _text.ToString();
            foreach (var waiter in _waiters.Where(w => w.Predicate(text)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }
    }
}
