namespace SeplosConsole.Hosting;

/// <summary>
/// Whether the MQTT bridge service is up and whether its two loops are still going round, for
/// systemd's readiness and watchdog (<see cref="SystemdService"/>). Fed by events from the poll
/// loop (every finished poll, good or failed, raises PackUpdated) and the bridge loop (every
/// publish pass and every connection attempt). Thread-safe.
/// </summary>
/// <remarks>
/// Ready: the first poll has finished and a publish pass has completed while connected to the
/// broker, so the broker holds the packs' state. Alive: the poll loop has gone round within the
/// stall limit (or it is waiting out a dead link, or it only listens and the master is silent), and
/// the bridge has not left a pack update unhandled for longer than the stall limit. A bridge that has
/// nothing to publish is idle, not stuck; a disconnected bridge goes round at each connection attempt.
/// </remarks>
public sealed class ServiceHealth
{
    private readonly TimeProvider _time;
    private readonly Func<bool> _busMayBeQuiet;
    private readonly Lock _lock = new();
    private DateTimeOffset _busTurnedAt;
    private DateTimeOffset? _updateWaitingSince;
    private bool _polledOnce;
    private bool _ready;

    /// <param name="stallLimit">How long a loop may go without turning before it counts as hung.</param>
    /// <param name="busMayBeQuiet">True while silence from the bus is expected: the link is down and
    /// the poller waits to reopen it, or the feed only listens to another master.</param>
    public ServiceHealth(TimeProvider time, TimeSpan stallLimit, Func<bool> busMayBeQuiet)
    {
        _time = time;
        StallLimit = stallLimit;
        _busMayBeQuiet = busMayBeQuiet;
        _busTurnedAt = time.GetUtcNow();
    }

    public TimeSpan StallLimit { get; }

    /// <summary>Latched: once ready, a later broker outage does not make the service "not ready".</summary>
    public bool IsReady
    {
        get
        {
            lock (_lock)
            {
                return _ready;
            }
        }
    }

    /// <summary>A poll finished (any outcome): the poll loop is alive and the bridge has work.</summary>
    public void BusTurned()
    {
        lock (_lock)
        {
            _busTurnedAt = _time.GetUtcNow();
            _polledOnce = true;
            _updateWaitingSince ??= _busTurnedAt;
        }
    }

    /// <summary>The bridge loop went round: a publish pass finished, or a connection attempt begins.</summary>
    public void BrokerTurned(bool connected)
    {
        lock (_lock)
        {
            _updateWaitingSince = null;
            if (connected && _polledOnce)
            {
                _ready = true;
            }
        }
    }

    /// <summary>Null when both loops are alive; otherwise which one is stuck and for how long.</summary>
    public string? Stall()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var busSilent = now - _busTurnedAt;
            if (busSilent > StallLimit && !_busMayBeQuiet())
            {
                return $"the poll loop has not finished a poll for {busSilent.TotalSeconds:0} s";
            }
            if (_updateWaitingSince is { } since && now - since > StallLimit)
            {
                return $"the MQTT bridge loop has left a pack update unpublished for {(now - since).TotalSeconds:0} s";
            }
            return null;
        }
    }
}
