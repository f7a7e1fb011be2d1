namespace SeplosConsole.Services;

/// <summary>
/// Where front ends get packs from: the poller (we ask the packs) or, later, a listener
/// (<see cref="ListenFeed"/>: we decode a master's traffic). Events come from a background task.
/// </summary>
public interface IPackFeed
{
    event EventHandler<PackStatus>? PackUpdated;
    event EventHandler<BusEvent>? Event;

    IReadOnlyList<PackStatus> AllStatus { get; }

    /// <summary>Name of the link (port path, tcp://…, sim) for status lines.</summary>
    string LinkName { get; }

    bool IsLinkDown { get; }

    /// <summary>
    /// True when the feed only listens to another master's traffic (<c>--listen</c>): it never
    /// transmits, so parameter writes are refused (see <see cref="ListenFeed.WritesRefusedReason"/>).
    /// </summary>
    bool IsListenOnly => false;
}
