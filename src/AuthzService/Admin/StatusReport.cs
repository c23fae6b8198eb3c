namespace Qbee.Authz.Service.Admin;

/// <summary>What GetStatus reports, as <see cref="ServiceStatus"/> found it.</summary>
internal sealed record StatusReport(
    string Version,
    DateTimeOffset StartedAt,
    ComponentReport Store,
    ComponentReport Redis,
    ComponentReport Audit,
    ComponentReport Sync,
    IReadOnlyList<AccountReport> Accounts,
    TimeSpan OldestConfirmationAge);
