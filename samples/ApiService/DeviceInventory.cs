namespace Qbee.Authz.Samples.ApiService;

/// <summary>A device of the API service's own database: what the scope filters.</summary>
public sealed record Device(string Id, string Title, IReadOnlyList<string> Tags, IReadOnlyList<string> AncestorsAndSelf);

/// <summary>
/// The service's device table, here three devices in memory: <c>factory/line-1</c> holds device 1 (tag
/// <c>production</c>) and device 2; device 3 is in <c>lab</c>.
/// </summary>
public sealed class DeviceInventory
{
    public static readonly string Device1 = 1.ToString("x64");
    public static readonly string Device2 = 2.ToString("x64");
    public static readonly string Device3 = 3.ToString("x64");

    public IReadOnlyList<Device> Devices { get; } =
    [
        new(Device1, "press-01", ["production"], [Device1, "line-1", "factory", "root"]),
        new(Device2, "press-02", [], [Device2, "line-1", "factory", "root"]),
        new(Device3, "bench-01", ["test"], [Device3, "lab", "root"]),
    ];

    public Device? Find(string id) => Devices.FirstOrDefault(device => device.Id == id);
}
