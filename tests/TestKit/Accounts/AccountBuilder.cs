using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.TestKit.Accounts;

/// <summary>
/// One account's records, added in any order and handed over as an <see cref="AccountData"/>: what the generators
/// (the benchmarks' <see cref="AccountGenerator"/>, the unit tests' random accounts) build with. The records get
/// the <see cref="AccountRecords"/> defaults.
/// </summary>
/// <param name="accountId">The account.</param>
/// <param name="name">Its name; the id by default.</param>
/// <param name="nodeCapacity">The nodes expected: a large account's list then never grows by copying.</param>
internal sealed class AccountBuilder(string accountId, string? name = null, int nodeCapacity = 0)
{
    private readonly List<NodeRecord> _nodes = new(nodeCapacity);
    private readonly List<RoleRecord> _roles = [];
    private readonly List<UserRecord> _users = [];
    private readonly List<RemoteAccessSettingRecord> _settings = [];

    public string AccountId { get; } = accountId;

    public IReadOnlyList<NodeRecord> Nodes => _nodes;

    public IReadOnlyList<RoleRecord> Roles => _roles;

    public IReadOnlyList<UserRecord> Users => _users;

    public AccountBuilder Group(string id, string parent, params string[] tags)
    {
        _nodes.Add(AccountRecords.Group(AccountId, id, parent, tags));
        return this;
    }

    public AccountBuilder Device(string id, string parent, bool agentDisabled, params string[] tags)
    {
        _nodes.Add(AccountRecords.Device(AccountId, id, parent, agentDisabled, tags));
        return this;
    }

    public AccountBuilder Role(string id, params PolicyRecord[] policies) => Role(AccountRecords.Role(AccountId, id, policies));

    public AccountBuilder Role(RoleRecord role)
    {
        _roles.Add(role);
        return this;
    }

    public AccountBuilder User(string id, bool disabled, params string[] roles)
    {
        _users.Add(AccountRecords.User(AccountId, id, disabled, roles));
        return this;
    }

    public AccountBuilder NodeSetting(string node, bool enabled, long revision = 1)
    {
        _settings.Add(AccountRecords.NodeSetting(node, enabled, revision));
        return this;
    }

    public AccountBuilder TagSetting(string tag, bool enabled, long revision)
    {
        _settings.Add(AccountRecords.TagSetting(tag, enabled, revision));
        return this;
    }

    /// <summary>The account at <paramref name="revision"/>; the builder's lists become the data's (build once).</summary>
    public AccountData Build(long revision = 0) =>
        new(new AccountRecord(AccountId, name ?? AccountId, revision), _roles, _users, _nodes, _settings);
}
