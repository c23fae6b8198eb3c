using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Hosting;

namespace Qbee.Authz.Service.Audit;

/// <summary>
/// The bounded queue between checks and the audit writer. Never drops: when full, the producer waits (bounded
/// by its call's deadline), and the wait is counted and logged so GetStatus can say so.
/// </summary>
internal sealed class AuditQueue(IOptions<AuditOptions> options, ILogger<AuditQueue> logger)
{
    private readonly Channel<AuditRecord> _channel = Channel.CreateBounded<AuditRecord>(
        new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });

    private long _fullWaits;

    public int Depth => _channel.Reader.Count;

    public int Capacity => options.Value.QueueCapacity;

    /// <summary>How many times a check had to wait for room.</summary>
    public long FullWaits => Interlocked.Read(ref _fullWaits);

    public ChannelReader<AuditRecord> Reader => _channel.Reader;

    public ValueTask EnqueueAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        if (_channel.Writer.TryWrite(record))
        {
            return ValueTask.CompletedTask;
        }

        return WaitForRoomAsync(record, cancellationToken);
    }

    /// <summary>No more events: the writer drains what is queued and stops.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    private async ValueTask WaitForRoomAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fullWaits);
        AuthzLog.AuditQueueFull(logger, Depth);
        try
        {
            await _channel.Writer.WriteAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Shutting down: the decision cannot be audited any more, so it is not given (fail closed).
            throw new Domain.UnavailableException("the service is shutting down");
        }
    }
}
