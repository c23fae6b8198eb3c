using System.Net;

namespace Qbee.Authz.Service.Domain.Resources;

/// <summary>
/// The resource grammar: <c>&lt;entity&gt;[/&lt;action&gt;[(&lt;key&gt;=&lt;value&gt;;...)]]</c> with entity
/// <c>*</c>, <c>tag:&lt;t&gt;</c> or <c>node:&lt;id&gt;</c>; whitespace around tokens is ignored.
/// Errors name the offending part.
/// </summary>
internal static class ResourceParser
{
    public const int MaxLength = 1024;
    public const int MaxPorts = 64;
    /// <summary>RFC 1035: a name is at most 255 octets on the wire, which is 253 characters as text.</summary>
    public const int MaxDestinationLength = 253;

    public static ResourceFilter Parse(string text, bool allowActions)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new ResourceSyntaxException($"is longer than {MaxLength} characters");
        }

        foreach (var c in text)
        {
            if (char.IsControl(c) && !char.IsWhiteSpace(c))
            {
                throw new ResourceSyntaxException("must not contain control characters");
            }
        }

        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw new ResourceSyntaxException("is empty");
        }

        var slash = trimmed.IndexOf('/');
        var entityPart = (slash < 0 ? trimmed : trimmed[..slash]).Trim();
        var (entity, value) = ParseEntity(entityPart);
        if (slash < 0)
        {
            return new ResourceFilter(trimmed, entity, value, RemoteAction.None, TunnelProtocol.None, null, null, CopyDirection.None, null);
        }

        if (!allowActions)
        {
            throw new ResourceSyntaxException("actions ('/<action>') exist only on remote-access:connect");
        }

        return ParseAction(trimmed, entity, value, trimmed[(slash + 1)..].Trim());
    }

    private static (EntityKind Kind, string Value) ParseEntity(string entity)
    {
        if (entity == "*")
        {
            return (EntityKind.Any, string.Empty);
        }

        if (entity.StartsWith("tag:", StringComparison.Ordinal))
        {
            var tag = entity[4..].Trim();
            if (!Ids.IsValidId(tag))
            {
                throw new ResourceSyntaxException($"tag '{Printable.Clip(tag)}' must be 1..{Ids.MaxLength} characters of [A-Za-z0-9._-]");
            }

            return (EntityKind.Tag, tag);
        }

        if (entity.StartsWith("node:", StringComparison.Ordinal))
        {
            var node = entity[5..].Trim();
            if (!Ids.IsValidNodeId(node))
            {
                throw new ResourceSyntaxException($"node id '{Printable.Clip(node)}' must be 1..{Ids.MaxLength} characters of [A-Za-z0-9._-]");
            }

            return (EntityKind.Node, node);
        }

        throw new ResourceSyntaxException($"entity '{Printable.Clip(entity)}' must be '*', 'tag:<tag>' or 'node:<node-id>'");
    }

    private static ResourceFilter ParseAction(string text, EntityKind entity, string value, string actionPart)
    {
        var open = actionPart.IndexOf('(');
        string name;
        string? options = null;
        if (open < 0)
        {
            if (actionPart.Contains(')'))
            {
                throw new ResourceSyntaxException("unbalanced ')' in the action");
            }

            name = actionPart;
        }
        else
        {
            if (!actionPart.EndsWith(')'))
            {
                throw new ResourceSyntaxException("the options of the action must end with ')'");
            }

            name = actionPart[..open].Trim();
            options = actionPart[(open + 1)..^1];
            if (options.Contains('(') || options.Contains(')'))
            {
                throw new ResourceSyntaxException("unbalanced parentheses in the options of the action");
            }
        }

        var action = name switch
        {
            "console" => RemoteAction.Console,
            "tunnel" => RemoteAction.Tunnel,
            "reload" => RemoteAction.Reload,
            "copy" => RemoteAction.Copy,
            _ => throw new ResourceSyntaxException($"action '{Printable.Clip(name)}' must be console, tunnel, reload or copy"),
        };

        var pairs = ParseOptions(options, name);
        if (pairs.Count > 0 && action is RemoteAction.Console or RemoteAction.Reload)
        {
            throw new ResourceSyntaxException($"action '{name}' takes no options");
        }

        var protocol = TunnelProtocol.None;
        PortRange[]? ports = null;
        string? destination = null;
        var direction = CopyDirection.None;
        string? path = null;
        foreach (var (key, optionValue) in pairs)
        {
            switch (action, key)
            {
                case (RemoteAction.Tunnel, "proto"):
                    protocol = optionValue switch
                    {
                        "tcp" => TunnelProtocol.Tcp,
                        "udp" => TunnelProtocol.Udp,
                        _ => throw new ResourceSyntaxException($"proto '{Printable.Clip(optionValue)}' must be tcp or udp"),
                    };
                    break;
                case (RemoteAction.Tunnel, "port"):
                    ports = ParsePorts(optionValue);
                    break;
                case (RemoteAction.Tunnel, "dst"):
                    destination = ParseDestination(optionValue);
                    break;
                case (RemoteAction.Copy, "direction"):
                    direction = optionValue switch
                    {
                        "upload" => CopyDirection.Upload,
                        "download" => CopyDirection.Download,
                        _ => throw new ResourceSyntaxException($"direction '{Printable.Clip(optionValue)}' must be upload or download"),
                    };
                    break;
                case (RemoteAction.Copy, "path"):
                    if (!DevicePath.TryNormalize(optionValue, out var normalized, out var error))
                    {
                        throw new ResourceSyntaxException($"path {error}");
                    }

                    path = normalized;
                    break;
                default:
                    throw new ResourceSyntaxException($"unknown option '{Printable.Clip(key)}' for action '{name}'");
            }
        }

        return new ResourceFilter(text, entity, value, action, protocol, ports, destination, direction, path);
    }

    private static List<(string Key, string Value)> ParseOptions(string? options, string action)
    {
        var pairs = new List<(string, string)>();
        if (options is null)
        {
            return pairs;
        }

        var parts = options.Split(';');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].Trim();
            if (part.Length == 0)
            {
                // A trailing ';' is harmless; an empty option in the middle is a typo worth reporting.
                if (i == parts.Length - 1 && i > 0)
                {
                    continue;
                }

                throw new ResourceSyntaxException($"empty option in the options of '{action}'");
            }

            var equals = part.IndexOf('=');
            if (equals <= 0)
            {
                throw new ResourceSyntaxException($"option '{Printable.Clip(part)}' must be <key>=<value>");
            }

            var key = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            if (value.Length == 0)
            {
                throw new ResourceSyntaxException($"option '{Printable.Clip(key)}' has no value");
            }

            if (pairs.Exists(p => p.Item1 == key))
            {
                throw new ResourceSyntaxException($"option '{Printable.Clip(key)}' is given twice");
            }

            pairs.Add((key, value));
        }

        return pairs;
    }

    private static PortRange[] ParsePorts(string value)
    {
        var items = value.Split(',');
        if (items.Length > MaxPorts)
        {
            throw new ResourceSyntaxException($"port lists at most {MaxPorts} ports or ranges");
        }

        var ranges = new PortRange[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i].Trim();
            var dash = item.IndexOf('-');
            if (dash == 0 || dash == item.Length - 1)
            {
                throw new ResourceSyntaxException($"port '{Printable.Clip(item)}' must be a port 1..65535 or a range a-b");
            }

            if (dash < 0)
            {
                var port = ParsePort(item);
                ranges[i] = new PortRange(port, port);
                continue;
            }

            var from = ParsePort(item[..dash].Trim());
            var to = ParsePort(item[(dash + 1)..].Trim());
            if (from > to)
            {
                throw new ResourceSyntaxException($"port range '{Printable.Clip(item)}' runs backwards");
            }

            ranges[i] = new PortRange(from, to);
        }

        return ranges;
    }

    private static int ParsePort(string text)
    {
        // Digits only: no signs, no spaces inside, no leading '+'.
        if (text.Length is 0 or > 5 || !text.All(char.IsAsciiDigit))
        {
            throw new ResourceSyntaxException($"port '{Printable.Clip(text)}' must be a number 1..65535");
        }

        var port = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        if (port is < 1 or > IPEndPoint.MaxPort)
        {
            throw new ResourceSyntaxException($"port '{text}' must be 1..65535");
        }

        return port;
    }

    private static string ParseDestination(string value)
    {
        if (value.Length > MaxDestinationLength || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':'))
        {
            throw new ResourceSyntaxException($"dst '{Printable.Clip(value)}' must be a host name or address");
        }

        return value;
    }
}
