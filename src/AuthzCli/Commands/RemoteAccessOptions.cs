using System.CommandLine;
using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Commands;

/// <summary>The remote-access action of a <c>remote-access:connect</c> question: <c>--console</c>, <c>--tunnel PORT</c>
/// [<c>--proto</c>, <c>--dst</c>], <c>--copy PATH --direction</c>, <c>--reload</c>; at most one.</summary>
internal sealed class RemoteAccessOptions
{
    private readonly Option<bool> _console = new("--console") { Description = "remote-access:connect: a console" };
    private readonly Option<uint?> _tunnel = new("--tunnel") { Description = "remote-access:connect: a tunnel to this port", HelpName = "PORT" };
    private readonly Option<string?> _proto = new("--proto") { Description = "With --tunnel: tcp or udp", HelpName = "tcp|udp" };
    private readonly Option<string?> _dst = new("--dst") { Description = "With --tunnel: the destination host", HelpName = "HOST" };
    private readonly Option<string?> _copy = new("--copy") { Description = "remote-access:connect: a file copy of this absolute path", HelpName = "PATH" };
    private readonly Option<string?> _direction = new("--direction") { Description = "With --copy: upload or download", HelpName = "upload|download" };
    private readonly Option<bool> _reload = new("--reload") { Description = "remote-access:connect: a reload" };

    public RemoteAccessOptions()
    {
        _proto.AcceptOnlyFromAmong("tcp", "udp");
        _direction.AcceptOnlyFromAmong("upload", "download");
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _console, _tunnel, _proto, _dst, _copy, _direction, _reload })
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            var actions = (result.GetValue(_console) ? 1 : 0) + (result.GetValue(_tunnel) is null ? 0 : 1)
                + (result.GetValue(_copy) is null ? 0 : 1) + (result.GetValue(_reload) ? 1 : 0);
            if (actions > 1)
            {
                result.AddError("give at most one of --console, --tunnel, --copy and --reload");
            }

            if (result.GetValue(_tunnel) is null && (result.GetValue(_proto) is not null || result.GetValue(_dst) is not null))
            {
                result.AddError("--proto and --dst go with --tunnel");
            }

            if ((result.GetValue(_copy) is null) != (result.GetValue(_direction) is null))
            {
                result.AddError("--copy and --direction go together");
            }
        });
    }

    /// <summary>The action asked for, or null when none was.</summary>
    public RemoteAccess? Read(ParseResult result)
    {
        if (result.GetValue(_console))
        {
            return new RemoteAccess { Action = RemoteAccessAction.Console };
        }

        if (result.GetValue(_tunnel) is { } port)
        {
            return new RemoteAccess { Action = RemoteAccessAction.Tunnel, Port = port, Proto = result.GetValue(_proto) ?? string.Empty, Dst = result.GetValue(_dst) ?? string.Empty };
        }

        if (result.GetValue(_copy) is { } path)
        {
            return new RemoteAccess { Action = RemoteAccessAction.Copy, Path = path, Direction = result.GetValue(_direction)! };
        }

        return result.GetValue(_reload) ? new RemoteAccess { Action = RemoteAccessAction.Reload } : null;
    }

    /// <summary>The action in the words of the flags, for human output: <c>tunnel tcp/8080 to localhost</c>.</summary>
    public static string Describe(RemoteAccess? access) => access?.Action switch
    {
        RemoteAccessAction.Console => "console",
        RemoteAccessAction.Reload => "reload",
        RemoteAccessAction.Tunnel => $"tunnel {(access.Proto.Length > 0 ? access.Proto + "/" : string.Empty)}{access.Port}{(access.Dst.Length > 0 ? " to " + access.Dst : string.Empty)}",
        RemoteAccessAction.Copy => $"copy {access.Direction} {access.Path}",
        _ => string.Empty,
    };
}
