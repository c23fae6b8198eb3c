using Qbee.Authz.Service.Checks;

namespace Qbee.Authz.Service.PolicyTests;

/// <summary>One assertion of a file: the check (validated as Check validates it), what it expects, and where it is written.</summary>
/// <param name="Text">The assertion in the line form, for the report.</param>
internal sealed record PolicyAssertion(int Line, string Text, PreparedCheck Check, ExpectedOutcome Expected);
