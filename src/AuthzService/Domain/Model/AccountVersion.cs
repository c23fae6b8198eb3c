namespace Qbee.Authz.Service.Domain.Model;

/// <summary>One committed state of an account: its revision and the random stamp its write drew.</summary>
internal readonly record struct AccountVersion(long Revision, long Stamp)
{
    public override string ToString() => $"{Revision}/{Stamp:x16}";
}
