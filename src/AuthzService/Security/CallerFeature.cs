namespace Qbee.Authz.Service.Security;

/// <summary>
/// The caller a request was admitted as, set on the request's features for audit. <see cref="CallerTable"/> holds
/// one per configured caller, so admitting a call allocates nothing of ours, and reading it where none was set
/// (no callers configured) allocates nothing either, where <c>ServerCallContext.UserState</c> would make a
/// dictionary.
/// </summary>
internal sealed class CallerFeature(string name, CallerScopes scopes)
{
    public string Name { get; } = name;

    public CallerScopes Scopes { get; } = scopes;
}
