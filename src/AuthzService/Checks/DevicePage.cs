namespace Qbee.Authz.Service.Checks;

/// <summary>One page of allowed device ids, in id order; <paramref name="More"/>: another allowed device follows the last.</summary>
internal sealed record DevicePage(long Revision, IReadOnlyList<string> DeviceIds, bool More);
