using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Domain.Evaluation;

/// <summary>One user ListDeviceUsers answers with: the decision Check gives that user (its grant and restricted flag).</summary>
internal readonly record struct DeviceUserGrant(UserEntry User, Decision Decision);
