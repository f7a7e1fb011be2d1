using SeplosConsole.Services;

namespace SeplosConsole.Mqtt;

/// <summary>
/// Decides which connection events are worth a log line, so a bridge left running for months
/// against a dead broker, or a broker that keeps dropping it, does not fill the journal. It
/// returns the line (or null); the caller logs it. Not thread-safe: one connection loop owns it.
/// </summary>
internal sealed class ConnectionLogLimiter(MqttOptions options, TimeSpan stableSession)
{
    /// <summary>The same trouble is logged again at most this often (with a count).</summary>
    public static readonly TimeSpan RepeatEvery = TimeSpan.FromMinutes(10);

    private string? _lastFailureLogged;
    private long _lastFailureLoggedAtMs;
    private int _failedAttempts;
    private bool _lossLogged;
    private long _lastLossLoggedAtMs;
    private int _lossesNotLogged;
    private bool _lossSuppressed;

    private static long RepeatMs => (long)RepeatEvery.TotalMilliseconds;

    public (BusEventLevel Level, string Line)? Connected(long nowMs)
    {
        // After a loss that was not logged (a broker that keeps dropping us), the reconnect is not news either.
        (BusEventLevel, string)? line = _lossSuppressed
            ? null
            : (BusEventLevel.Info, $"MQTT: connected to {MqttConnectionErrors.Where(options)} as {options.ClientId}" + (_failedAttempts > 1 ? $" after {_failedAttempts} failed attempts" : ""));
        _failedAttempts = 0;
        _lastFailureLogged = null;
        return line;
    }

    /// <summary>
    /// Like <see cref="Failed"/>, rate-limited: a broker that accepts and drops the bridge at once
    /// (duplicate client id, ACL kick) gets one line, then one every ten minutes with a count, not
    /// one a second. The reasons of such drops vary (closed by the broker, a publish that failed),
    /// so it is the short sessions that are counted, not the reason. A loss after a session that
    /// held (a stable session) is always news.
    /// </summary>
    public (BusEventLevel Level, string Line)? Lost(string reason, TimeSpan connectedFor, long nowMs)
    {
        if (connectedFor >= stableSession)
        {
            _lossLogged = false;
        }
        _lossSuppressed = _lossLogged && nowMs - _lastLossLoggedAtMs < RepeatMs;
        if (_lossSuppressed)
        {
            _lossesNotLogged++;
            return null;
        }
        var repeat = _lossLogged ? $" (dropped {_lossesNotLogged + 1} times in {TimeSpan.FromMilliseconds(nowMs - _lastLossLoggedAtMs).TotalMinutes:0} min, each soon after connecting)" : "";
        _lossLogged = true;
        _lastLossLoggedAtMs = nowMs;
        _lossesNotLogged = 0;
        return (BusEventLevel.Warning, $"MQTT: connection to {MqttConnectionErrors.Where(options)} lost after {connectedFor.TotalSeconds:0.#} s: {reason}{repeat}; reconnecting");
    }

    /// <summary>One line per new kind of failure; the same failure again only every ten minutes.</summary>
    public (BusEventLevel Level, string Line)? Failed(string failure, long nowMs)
    {
        _failedAttempts++;
        if (failure == _lastFailureLogged && nowMs - _lastFailureLoggedAtMs < RepeatMs)
        {
            return null;
        }
        var repeat = failure == _lastFailureLogged ? $" (still failing, {_failedAttempts} attempts)" : "";
        _lastFailureLogged = failure;
        _lastFailureLoggedAtMs = nowMs;
        return (BusEventLevel.Error, $"MQTT: {failure}{repeat}; retrying up to every {options.MaxReconnectDelay.TotalSeconds:0.#} s");
    }
}
