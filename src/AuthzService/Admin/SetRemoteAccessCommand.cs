using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.Admin;

/// <summary>Remote access on a node or a tag: enabled, disabled, or (null) the setting cleared.</summary>
internal sealed record SetRemoteAccessCommand(string AccountId, RemoteAccessTarget TargetKind, string Target, bool? Enabled);
