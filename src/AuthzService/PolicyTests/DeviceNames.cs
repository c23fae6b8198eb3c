using System.Security.Cryptography;
using System.Text;
using Qbee.Authz.Service.Domain;

namespace Qbee.Authz.Service.PolicyTests;

/// <summary>
/// The names a file gives its devices. A device id is 64 lowercase hex (its key's digest); a file may name a device
/// <c>gateway-01</c> instead and omit the id, which is then the SHA-256 of the name: stable, so a file stays exact.
/// </summary>
internal sealed class DeviceNames
{
    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public static string IdFor(string name) =>
        Ids.IsDeviceId(name) ? name : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    public bool TryAdd(string name, string deviceId)
    {
        if (!_ids.TryAdd(name, deviceId))
        {
            return false;
        }

        _names.TryAdd(deviceId, name);
        return true;
    }

    public bool TryGetId(string name, out string deviceId) => _ids.TryGetValue(name, out deviceId!);

    /// <summary>The name to print for a device id: its file name, else the id itself.</summary>
    public string NameOf(string deviceId) => _names.GetValueOrDefault(deviceId, deviceId);
}
