using System.Text;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Storage;

/// <summary>
/// The binary form of an audit segment's events (the <c>events</c> column of <c>audit_segments</c>). Compact
/// because a gateway's decisions repeat themselves: every text field is written as "same as the event before"
/// (one byte) when it is, and times, ids and revisions as deltas.
/// </summary>
/// <remarks>
/// Version 1: a version byte, the event count, then per event: event id minus the previous id minus one (the
/// first's "previous" is the segment's first id minus one), time delta, flags (1 allowed, 2 remote access),
/// reason, revision delta, [action, port], then the texts in <see cref="Text"/> order, each a length plus one
/// and UTF-8 bytes, or 0 for "same as the previous event". Integers are LEB128 varints, signed ones zigzagged.
/// The account id is the segment's column, not repeated here.
/// </remarks>
internal static class AuditSegmentCodec
{
    private const byte Version = 1;
    private const byte AllowedFlag = 1;
    private const byte RemoteAccessFlag = 2;

    // Bounds for decoding a corrupt blob, not limits of the format.
    private const int MaxEvents = 1_000_000;

    /// <summary>Text slots in the order they are written.</summary>
    private enum Text
    {
        Kind,
        UserId,
        DeviceId,
        Permission,
        RoleId,
        Resource,
        Caller,
        RequestId,
        Detail,
        Proto,
        Dst,
        Direction,
        Path,
        Count,
    }

    /// <summary>Encodes <paramref name="events"/> with the ids first, first + 1, ... (their own ids are ignored).</summary>
    public static byte[] Encode(IReadOnlyList<AuditRecord> events) =>
        Encode(events, explicitIds: false, firstEventId: 0);

    /// <summary>Encodes <paramref name="events"/> keeping their ids, which must ascend from <paramref name="firstEventId"/>.</summary>
    public static byte[] EncodeWithIds(IReadOnlyList<AuditRecord> events, long firstEventId) =>
        Encode(events, explicitIds: true, firstEventId);

    public static List<AuditRecord> Decode(ReadOnlySpan<byte> data, string accountId, long firstEventId)
    {
        var reader = new Reader(data);
        if (reader.Byte() != Version)
        {
            throw new InvalidDataException("audit segment: unknown version");
        }

        var count = reader.Count(MaxEvents);
        var events = new List<AuditRecord>(count);
        var texts = new string[(int)Text.Count];
        Array.Fill(texts, string.Empty);
        long id = firstEventId - 1, time = 0, revision = 0;
        for (var i = 0; i < count; i++)
        {
            id = checked(id + 1 + reader.Long());
            time = checked(time + reader.SignedLong());
            var flags = reader.Byte();
            var reason = (int)reader.SignedLong();
            revision = checked(revision + reader.SignedLong());
            var remote = (flags & RemoteAccessFlag) != 0;
            var action = remote ? (RemoteAction)reader.Long() : default;
            var port = remote ? (int)reader.SignedLong() : 0;
            var slots = remote ? (int)Text.Count : (int)Text.Proto;
            for (var slot = 0; slot < slots; slot++)
            {
                texts[slot] = reader.Text(texts[slot]);
            }

            var remoteAccess = remote
                ? new RemoteAccessRequest(action, texts[(int)Text.Proto], port, texts[(int)Text.Dst], texts[(int)Text.Direction], texts[(int)Text.Path])
                : null;
            events.Add(new AuditRecord(
                id,
                DateTimeOffset.FromUnixTimeMilliseconds(time),
                accountId,
                texts[(int)Text.Kind],
                texts[(int)Text.UserId],
                texts[(int)Text.DeviceId],
                texts[(int)Text.Permission],
                remoteAccess,
                (flags & AllowedFlag) != 0,
                reason,
                texts[(int)Text.RoleId],
                texts[(int)Text.Resource],
                texts[(int)Text.Caller],
                texts[(int)Text.RequestId],
                texts[(int)Text.Detail],
                revision));
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("audit segment: bytes after the last event");
        }

        return events;
    }

    private static byte[] Encode(IReadOnlyList<AuditRecord> events, bool explicitIds, long firstEventId)
    {
        var writer = new Writer(64 + (events.Count * 32));
        writer.Byte(Version);
        writer.Varint((ulong)events.Count);
        var previous = new string[(int)Text.Count];
        Array.Fill(previous, string.Empty);
        long id = firstEventId - 1, time = 0, revision = 0;
        foreach (var e in events)
        {
            var idGap = explicitIds ? e.EventId - id - 1 : 0;
            if (idGap < 0)
            {
                throw new ArgumentException("audit segment: event ids must ascend", nameof(events));
            }

            id += idGap + 1;
            writer.Varint((ulong)idGap);
            var ms = e.Time.ToUnixTimeMilliseconds();
            writer.Signed(ms - time);
            time = ms;
            var ra = e.RemoteAccess;
            writer.Byte((byte)((e.Allowed ? AllowedFlag : 0) | (ra is null ? 0 : RemoteAccessFlag)));
            writer.Signed(e.Reason);
            writer.Signed(e.Revision - revision);
            revision = e.Revision;
            if (ra is not null)
            {
                writer.Varint((ulong)ra.Action);
                writer.Signed(ra.Port);
            }

            writer.Field(previous, Text.Kind, e.Kind);
            writer.Field(previous, Text.UserId, e.UserId);
            writer.Field(previous, Text.DeviceId, e.DeviceId);
            writer.Field(previous, Text.Permission, e.Permission);
            writer.Field(previous, Text.RoleId, e.RoleId);
            writer.Field(previous, Text.Resource, e.Resource);
            writer.Field(previous, Text.Caller, e.Caller);
            writer.Field(previous, Text.RequestId, e.RequestId);
            writer.Field(previous, Text.Detail, e.Detail);
            if (ra is not null)
            {
                writer.Field(previous, Text.Proto, ra.Proto);
                writer.Field(previous, Text.Dst, ra.Dst);
                writer.Field(previous, Text.Direction, ra.Direction);
                writer.Field(previous, Text.Path, ra.Path);
            }
        }

        return writer.ToArray();
    }

    /// <summary>
    /// Writes into one growing array, straight into its span: the audit writer encodes every event of a gateway's
    /// load, and a buffer writer's span request per varint cost more than the varint.
    /// </summary>
    private ref struct Writer(int capacity)
    {
        // Texts up to this many chars take at most 126 UTF-8 bytes: their length prefix is one byte.
        private const int OneBytePrefixChars = 42;

        private byte[] _buffer = new byte[capacity];
        private int _length;

        public void Byte(byte value)
        {
            Ensure(1);
            _buffer[_length++] = value;
        }

        public void Varint(ulong value)
        {
            Ensure(10);
            var buffer = _buffer;
            var n = _length;
            while (value >= 0x80)
            {
                buffer[n++] = (byte)(value | 0x80);
                value >>= 7;
            }

            buffer[n++] = (byte)value;
            _length = n;
        }

        public void Signed(long value) => Varint((ulong)((value << 1) ^ (value >> 63)));

        /// <summary>0 when the text is the previous event's, else its UTF-8 length plus one and the bytes.</summary>
        public void Field(string[] previous, Text slot, string? value)
        {
            value ??= string.Empty;
            if (string.Equals(previous[(int)slot], value, StringComparison.Ordinal))
            {
                Byte(0);
                return;
            }

            previous[(int)slot] = value;
            if (value.Length <= OneBytePrefixChars)
            {
                Ensure(1 + (value.Length * 3));
                var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length + 1));
                _buffer[_length] = (byte)(written + 1);
                _length += 1 + written;
                return;
            }

            var count = Encoding.UTF8.GetByteCount(value);
            Varint((ulong)count + 1);
            Ensure(count);
            _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        }

        public readonly byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

        private void Ensure(int bytes)
        {
            if (_length + bytes > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
            }
        }
    }

    /// <summary>Reads what <see cref="Encode(IReadOnlyList{AuditRecord})"/> wrote; anything out of bounds is corrupt data.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool AtEnd => _position == _data.Length;

        public byte Byte() =>
            _position < _data.Length ? _data[_position++] : throw new InvalidDataException("audit segment: truncated");

        public long Long()
        {
            var value = Varint();
            return value <= long.MaxValue ? (long)value : throw new InvalidDataException("audit segment: integer out of range");
        }

        public long SignedLong()
        {
            var value = Varint();
            return (long)(value >> 1) ^ -(long)(value & 1);
        }

        public int Count(int max)
        {
            var count = Long();
            return count <= max ? (int)count : throw new InvalidDataException("audit segment: count out of range");
        }

        public string Text(string previous)
        {
            var tag = Long();
            if (tag == 0)
            {
                return previous;
            }

            var length = tag - 1;
            if (length > _data.Length - _position)
            {
                throw new InvalidDataException("audit segment: text runs past the end");
            }

            var text = Encoding.UTF8.GetString(_data.Slice(_position, (int)length));
            _position += (int)length;
            return text;
        }

        private ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Byte();
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("audit segment: varint too long");
        }
    }
}
