namespace Qbee.Authz.Service.PolicyTests;

/// <summary>
/// A policy test file that cannot be read or breaks a rule a write would refuse: names the line and the field as
/// the file spells it (<c>roles[1].policies[0].resources[2]</c>), with the service's own reason.
/// </summary>
internal sealed class PolicyFileException(int line, string field, string reason)
    : Exception(field.Length > 0 ? $"line {line}: {field}: {reason}" : $"line {line}: {reason}")
{
    public int Line { get; } = line;

    public string Field { get; } = field;

    public string Reason { get; } = reason;
}
