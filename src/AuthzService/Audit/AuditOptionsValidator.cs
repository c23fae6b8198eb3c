using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Audit;

/// <summary>The ranges on <see cref="AuditOptions"/>, checked at start-up by generated code (no reflection).</summary>
[OptionsValidator]
internal sealed partial class AuditOptionsValidator : IValidateOptions<AuditOptions>;
