namespace Qbee.Authz.Client.Consistency;

/// <summary>The response metadata of WatchRevocations.</summary>
internal static class WatchHeaders
{
    /// <summary>Sent by the service once the watcher is subscribed, with the revision it streams after.</summary>
    public const string SubscribedAfter = "qbee-subscribed-after";
}
