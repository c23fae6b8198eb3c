using Qbee.Authz.Service.Domain.Snapshot;

namespace Qbee.Authz.Service.Admin;

/// <summary>
/// What an admin write answers: what it stored (would store), the revision it made (a dry run: the store's current
/// one), and for a dry run what it would change.
/// </summary>
internal sealed record WriteResult<T>(T Value, long Revision, WriteImpact? Impact);
