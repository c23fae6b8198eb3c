using System.Buffers;
using System.Net;
using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Resources;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.Grpc.Validation;

/// <summary>Validates the remote-access part of a request into a <see cref="RemoteAccessQuery"/>.</summary>
internal static class RemoteAccessReader
{
    private static readonly SearchValues<char> HostCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:");

    public static RemoteAccessQuery Read(RemoteAccess? remoteAccess, Permission permission, string field)
    {
        if (remoteAccess is null)
        {
            return RemoteAccessQuery.None;
        }

        var hasParameters = remoteAccess.Proto.Length > 0 || remoteAccess.Port != 0 || remoteAccess.Dst.Length > 0
            || remoteAccess.Direction.Length > 0 || remoteAccess.Path.Length > 0;
        if (permission != Permission.RemoteAccessConnect)
        {
            if (hasParameters || remoteAccess.Action != RemoteAccessAction.Unspecified)
            {
                throw new InvalidFieldException(field, "applies to remote-access:connect only");
            }

            return RemoteAccessQuery.None;
        }

        var action = remoteAccess.Action.ToDomain()
            ?? throw new InvalidFieldException($"{field}.action", $"unknown action {(int)remoteAccess.Action}");

        if (action != RemoteAction.Tunnel && (remoteAccess.Proto.Length > 0 || remoteAccess.Port != 0 || remoteAccess.Dst.Length > 0))
        {
            throw new InvalidFieldException(field, "proto, port and dst apply to the tunnel action only");
        }

        if (action != RemoteAction.Copy && (remoteAccess.Direction.Length > 0 || remoteAccess.Path.Length > 0))
        {
            throw new InvalidFieldException(field, "direction and path apply to the copy action only");
        }

        if (action == RemoteAction.Tunnel)
        {
            var protocol = remoteAccess.Proto switch
            {
                "" => TunnelProtocol.None,
                "tcp" => TunnelProtocol.Tcp,
                "udp" => TunnelProtocol.Udp,
                _ => throw new InvalidFieldException($"{field}.proto", "must be tcp or udp"),
            };
            if (remoteAccess.Port > IPEndPoint.MaxPort)
            {
                throw new InvalidFieldException($"{field}.port", "must be 1..65535");
            }

            var dst = remoteAccess.Dst;
            if (dst.Length > ResourceParser.MaxDestinationLength || dst.AsSpan().ContainsAnyExcept(HostCharacters))
            {
                throw new InvalidFieldException($"{field}.dst", "must be a host name or address");
            }

            return new RemoteAccessQuery(action, protocol, (int)remoteAccess.Port, dst.Length > 0 ? dst : null, CopyDirection.None, null);
        }

        if (action == RemoteAction.Copy)
        {
            var direction = remoteAccess.Direction switch
            {
                "" => CopyDirection.None,
                "upload" => CopyDirection.Upload,
                "download" => CopyDirection.Download,
                _ => throw new InvalidFieldException($"{field}.direction", "must be upload or download"),
            };
            string? path = null;
            if (remoteAccess.Path.Length > 0)
            {
                if (!DevicePath.TryNormalize(remoteAccess.Path, out var normalized, out var error))
                {
                    throw new InvalidFieldException($"{field}.path", error);
                }

                path = normalized;
            }

            return new RemoteAccessQuery(action, TunnelProtocol.None, 0, null, direction, path);
        }

        return new RemoteAccessQuery(action, TunnelProtocol.None, 0, null, CopyDirection.None, null);
    }
}
