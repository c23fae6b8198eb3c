using Qbee.Authz.Service.Checks;

namespace Qbee.Authz.Service.PolicyTests;

/// <summary>One assertion of a file: the check (validated as Check validates it), what it expects, and where it is written.</summary>
/// <param name="Text">The assertion in the line form, for the report.</param>
/// <param name="Members">For <see cref="AssertionSubject.Devices"/> and <see cref="AssertionSubject.Users"/>: the device names or user ids
/// expected to be allowed, sorted; null otherwise.</param>
internal sealed record PolicyAssertion(
    int Line, string Text, PreparedCheck Check, ExpectedOutcome Expected, AssertionSubject Subject = AssertionSubject.One, IReadOnlyList<string>? Members = null);

/// <summary>What an assertion asks about: one check, or the set a <c>*</c> stands for.</summary>
internal enum AssertionSubject
{
    /// <summary>One user, one permission, maybe one device.</summary>
    One,

    /// <summary><c>USER PERMISSION * …</c>: the devices the user is allowed on (as ListAllowedDevices lists them).</summary>
    Devices,

    /// <summary><c>* PERMISSION DEVICE …</c>: the users allowed on the device (who can reach it).</summary>
    Users,
}
