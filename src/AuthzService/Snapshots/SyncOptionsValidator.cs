using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.Snapshots;

/// <summary>The ranges and the key-prefix pattern on <see cref="SyncOptions"/>, checked at start-up by generated code.</summary>
[OptionsValidator]
internal sealed partial class SyncOptionsValidator : IValidateOptions<SyncOptions>;
