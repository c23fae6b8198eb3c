using System.Text.RegularExpressions;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.PolicyTests;

/// <summary>
/// Reads one assertion, in the line form <c>USER PERMISSION [DEVICE|-] [ACTION [ARGS]] -&gt; OUTCOME [restricted]</c>
/// (<c>bob remote-access:connect gateway-01 tunnel tcp:22@localhost -&gt; ACTION_NOT_GRANTED</c>) or the structured
/// form (a mapping with user, permission, device, action, proto, port, dst, direction, path, expect, restricted).
/// A <c>*</c> in the device's or the user's place asks where or who, answered by a list (<c>-&gt; [d1, d2]</c>).
/// The check is then validated as Check validates it.
/// </summary>
internal static partial class AssertionReader
{
    /// <summary>In the user's or the device's place: every user, every device.</summary>
    private const string Every = "*";

    private const string EveryUserPlaceholder = "every-user";

    private static readonly ExpectedOutcome Allowed = new(null, true, null);

    private static readonly string[] Keys = ["user", "permission", "device", "action", "proto", "port", "dst", "direction", "path", "expect", "restricted"];

    public static PolicyAssertion Read(FileNode item, DeviceNames devices) =>
        item.Node is YamlDotNet.RepresentationModel.YamlScalarNode ? ReadLine(item, devices) : ReadStructured(item, devices);

    private static PolicyAssertion ReadLine(FileNode item, DeviceNames devices)
    {
        var text = item.Scalar().Trim();
        var arrow = text.LastIndexOf("->", StringComparison.Ordinal);
        var arrowLength = 2;
        if (arrow < 0)
        {
            arrow = text.LastIndexOf('→');
            arrowLength = 1;
        }

        if (arrow < 0)
        {
            throw item.Error("must read USER PERMISSION [DEVICE] [ACTION ...] -> OUTCOME, e.g. bob device:read gateway-01 -> GRANTED");
        }

        var tokens = text[..arrow].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var outcome = text[(arrow + arrowLength)..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length < 2)
        {
            throw item.Error("names no user and permission before '->'");
        }

        var user = tokens[0];
        var permission = tokens[1];
        var subject = user == Every ? AssertionSubject.Users : AssertionSubject.One;
        var next = 2;
        var device = string.Empty;
        if (next < tokens.Length)
        {
            var word = tokens[next];
            var isAction = ActionOf(word) is not null && permission.StartsWith("remote-access:", StringComparison.Ordinal);
            if (word == "-")
            {
                next++;
            }
            else if (word == Every)
            {
                subject = subject == AssertionSubject.One ? AssertionSubject.Devices : throw item.Error("'*' stands for the users or for the devices, not both");
                next++;
            }
            else if (devices.TryGetId(word, out var id))
            {
                device = id;
                next++;
            }
            else if (!isAction)
            {
                device = ResolveDevice(item, word, devices);
                next++;
            }
        }

        RemoteAccessRequest? remote = null;
        if (next < tokens.Length)
        {
            var action = ActionOf(tokens[next]) ?? throw item.Error($"unknown action '{tokens[next]}' (console, tunnel, reload or copy)");
            var fields = new RemoteFields(action);
            foreach (var argument in tokens.AsSpan(next + 1))
            {
                ReadArgument(item, argument, ref fields);
            }

            remote = fields.ToRequest(item);
        }

        var answer = text[(arrow + arrowLength)..].Trim();
        if (answer.StartsWith('[') || subject != AssertionSubject.One)
        {
            var members = ReadMembers(item, subject, answer, devices);
            return new PolicyAssertion(item.Line, text, ToCheck(item, subject, user, permission, device, remote), Allowed, subject, members);
        }

        var expected = outcome.Length switch
        {
            1 => ExpectedOutcome.Parse(outcome[0], null),
            2 when outcome[1] is "restricted" or "unrestricted" => ExpectedOutcome.Parse(outcome[0], outcome[1] == "restricted"),
            _ => null,
        } ?? throw item.Error($"'{string.Join(' ', outcome)}' is not an outcome: write a reason ({string.Join(", ", ExpectedOutcome.Reasons.Keys)}) or allowed/denied, optionally followed by restricted/unrestricted");

        return new PolicyAssertion(item.Line, text, ToCheck(item, subject, user, permission, device, remote), expected);
    }

    private static PolicyAssertion ReadStructured(FileNode item, DeviceNames devices)
    {
        item.Mapping(Keys);
        var user = item.Text("user");
        var permission = item.Text("permission");
        var deviceName = item.Text("device");
        var subject = user == Every ? AssertionSubject.Users : AssertionSubject.One;
        if (deviceName == Every)
        {
            subject = subject == AssertionSubject.One ? AssertionSubject.Devices : throw item.Error("'*' stands for the users or for the devices, not both");
        }

        var device = deviceName.Length == 0 || deviceName == Every ? string.Empty
            : devices.TryGetId(deviceName, out var id) ? id
            : ResolveDevice(item.Get("device")!.Value, deviceName, devices);
        RemoteAccessRequest? remote = null;
        var actionName = item.Text("action");
        if (actionName.Length > 0 || Keys[4..9].Any(key => item.Get(key) is not null))
        {
            var action = actionName.Length == 0 ? RemoteAction.None
                : ActionOf(actionName) ?? throw item.Get("action")!.Value.Error($"unknown action '{actionName}' (console, tunnel, reload or copy)");
            var fields = new RemoteFields(action)
            {
                Proto = item.Text("proto"),
                Port = item.Text("port"),
                Dst = item.Text("dst"),
                Direction = item.Text("direction"),
                Path = item.Text("path"),
            };
            remote = fields.ToRequest(item);
        }

        var expectNode = item.Get("expect") ?? throw item.Error("expect: is required (a reason such as GRANTED, or allowed/denied)");
        if (expectNode.Node is YamlDotNet.RepresentationModel.YamlSequenceNode || subject != AssertionSubject.One)
        {
            var names = expectNode.Node is YamlDotNet.RepresentationModel.YamlSequenceNode ? item.Texts("expect") : throw expectNode.Error("'*' asks for a list: expect: [name, ...]");
            var members = ReadMembers(expectNode, subject, "[" + string.Join(", ", names) + "]", devices);
            var listed = $"{user} {permission}{(deviceName.Length > 0 ? " " + deviceName : string.Empty)}{Describe(remote)} -> [{string.Join(", ", members)}]";
            return new PolicyAssertion(item.Line, listed, ToCheck(item, subject, user, permission, device, remote), Allowed, subject, members);
        }

        bool? restricted = item.Get("restricted") is null ? null : item.Flag("restricted");
        var expected = ExpectedOutcome.Parse(expectNode.Scalar(), restricted)
            ?? throw expectNode.Error($"'{expectNode.Scalar()}' is not an outcome: write a reason ({string.Join(", ", ExpectedOutcome.Reasons.Keys)}) or allowed/denied");

        var text = $"{user} {permission}{(deviceName.Length > 0 ? " " + deviceName : string.Empty)}{Describe(remote)} -> {expected}";
        return new PolicyAssertion(item.Line, text, ToCheck(item, subject, user, permission, device, remote), expected);
    }

    /// <summary>A word that is no device name of the file: a 64-hex id (a device the account may lack), else a typo.</summary>
    private static string ResolveDevice(FileNode item, string word, DeviceNames devices) =>
        Ids.IsDeviceId(word)
            ? word
            : throw item.Error($"device '{word}' is not named in the tree (write a 64-hex id to test a device the account does not have)");

    /// <summary>
    /// The list after '->' of an assertion with a '*': device names of the file (or 64-hex ids) or user ids, sorted;
    /// <c>[]</c> says "none".
    /// </summary>
    private static string[] ReadMembers(FileNode item, AssertionSubject subject, string answer, DeviceNames devices)
    {
        if (subject == AssertionSubject.One)
        {
            throw item.Error("a list answers an assertion with '*' in the user's place (who) or the device's (where)");
        }

        if (!answer.StartsWith('[') || !answer.EndsWith(']'))
        {
            throw item.Error("'*' asks for a list: -> [name, ...] (or [] for none)");
        }

        var words = answer[1..^1].Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return words.Select(word => subject == AssertionSubject.Devices
                ? devices.NameOf(devices.TryGetId(word, out var id) ? id : ResolveDevice(item, word, devices))
                : Ids.IsValidId(word) ? word : throw item.Error($"'{word}' is not a user id"))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>A '*' is validated as one check of its kind (any user, no device), then asked of each at run time.</summary>
    private static Checks.PreparedCheck ToCheck(FileNode item, AssertionSubject subject, string user, string permission, string device, RemoteAccessRequest? remote)
    {
        try
        {
            return RowValidation.ToCheck(subject == AssertionSubject.Users ? EveryUserPlaceholder : user, permission, device, remote);
        }
        catch (InvalidFieldException e)
        {
            throw item.Error(e.Message);
        }
    }

    private static void ReadArgument(FileNode item, string argument, ref RemoteFields fields)
    {
        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0)
        {
            var value = argument[(equals + 1)..];
            switch (argument[..equals])
            {
                case "proto": fields.Proto = value; break;
                case "port": fields.Port = value; break;
                case "dst": fields.Dst = value; break;
                case "direction": fields.Direction = value; break;
                case "path": fields.Path = value; break;
                default: throw item.Error($"unknown parameter '{argument[..equals]}' (proto, port, dst, direction, path)");
            }

            return;
        }

        if (fields.Action == RemoteAction.Copy)
        {
            if (argument is "upload" or "download")
            {
                fields.Direction = argument;
            }
            else if (argument.StartsWith('/'))
            {
                fields.Path = argument;
            }
            else
            {
                throw item.Error($"'{argument}': a copy takes upload or download and an absolute path");
            }

            return;
        }

        var tunnel = TunnelShorthand().Match(argument);
        if (fields.Action != RemoteAction.Tunnel || !tunnel.Success)
        {
            throw item.Error($"'{argument}': a tunnel takes [tcp|udp][:port][@dst], e.g. tcp:22@localhost; other actions take no parameters");
        }

        fields.Proto = tunnel.Groups["proto"].Value;
        fields.Port = tunnel.Groups["port"].Value;
        fields.Dst = tunnel.Groups["dst"].Value;
    }

    private static RemoteAction? ActionOf(string word) => word switch
    {
        "console" => RemoteAction.Console,
        "tunnel" => RemoteAction.Tunnel,
        "reload" => RemoteAction.Reload,
        "copy" => RemoteAction.Copy,
        _ => null,
    };

    private static string Describe(RemoteAccessRequest? remote)
    {
        if (remote is null)
        {
            return string.Empty;
        }

        var parts = new List<string> { remote.Action.ToString().ToLowerInvariant() };
        parts.AddRange(new[] { ("proto", remote.Proto), ("port", remote.Port > 0 ? remote.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) : ""), ("dst", remote.Dst), ("direction", remote.Direction), ("path", remote.Path) }
            .Where(p => p.Item2.Length > 0).Select(p => $"{p.Item1}={p.Item2}"));
        return " " + string.Join(' ', parts);
    }

    [GeneratedRegex(@"^(?<proto>[a-z]+)?(?::(?<port>[0-9]+))?(?:@(?<dst>\S+))?$|^(?<port>[0-9]+)$")]
    private static partial Regex TunnelShorthand();

    /// <summary>The remote-access part as written, before Check's validation reads it.</summary>
    private record struct RemoteFields(RemoteAction Action)
    {
        public string Proto { get; set; } = string.Empty;

        public string Port { get; set; } = string.Empty;

        public string Dst { get; set; } = string.Empty;

        public string Direction { get; set; } = string.Empty;

        public string Path { get; set; } = string.Empty;

        public readonly RemoteAccessRequest ToRequest(FileNode item)
        {
            var port = 0;
            if (Port.Length > 0 && (!int.TryParse(Port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port == 0))
            {
                throw item.Error($"remote_access.port: must be 1..65535 (is '{Port}')");
            }

            return new RemoteAccessRequest(Action, Proto, port, Dst, Direction, Path);
        }
    }
}
