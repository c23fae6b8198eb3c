using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Domain;

/// <summary>The ranges on <see cref="LimitsOptions"/>, checked at start-up by generated code (no reflection).</summary>
[OptionsValidator]
internal sealed partial class LimitsOptionsValidator : IValidateOptions<LimitsOptions>;
