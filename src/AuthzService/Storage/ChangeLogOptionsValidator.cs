using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Storage;

/// <summary>The ranges on <see cref="ChangeLogOptions"/>, checked at start-up by generated code (no reflection).</summary>
[OptionsValidator]
internal sealed partial class ChangeLogOptionsValidator : IValidateOptions<ChangeLogOptions>;
