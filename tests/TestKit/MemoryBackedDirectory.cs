namespace Qbee.Authz.TestKit;

/// <summary>
/// A new data folder in memory (tmpfs) where the machine has one, else in the temp folder: for a test about something
/// other than the disk. On a disk that other work loads, one commit's fsync can outlast the audit writer's stall
/// threshold (1 s), and then connect checks are refused (fail closed), as in production they must be.
/// </summary>
public static class MemoryBackedDirectory
{
    private const string Tmpfs = "/dev/shm";

    public static string New() =>
        Path.Combine(Directory.Exists(Tmpfs) ? Tmpfs : Path.GetTempPath(), "qbee-authz-tests", Guid.NewGuid().ToString("N"));
}
