using System.Globalization;
using SeplosConsole.Services;

namespace SeplosConsole.Tui;

/// <summary>
/// The bottom line: link, pack address and serial, age of the last reading, requests per second,
/// bus errors, and the freshness state in words (ONLINE, STALE 12 s, OFFLINE, DISCONNECTED).
/// </summary>
public static class StatusLine
{
    public static (string Text, Tone Tone) Describe(string linkName, bool linkDown, PackStatus? status, DateTimeOffset now, TimeSpan staleAfter, double? requestsPerSecond)
    {
        if (status is null)
        {
            return ($" {linkName} | no pack configured", Tone.Warning);
        }
        var age = status.LastSuccess is { } at ? now - at : (TimeSpan?)null;
        var (state, tone) = Freshness(linkDown, status.State, age, staleAfter);
        var serial = status.Serial is { } s ? $" SN {s}" : "";
        var ageText = age is { } a ? $"{Seconds(a)} ago" : "no reading yet";
        var rate = requestsPerSecond is { } r ? r.ToString("0.0", CultureInfo.InvariantCulture) : "--";
        // A block the pack refused: its panels stay empty ("--"); the line says which (the log says why).
        var missing = status.Snapshot.Missing.Where(m => m.WholeBlock).Select(m => m.BlockName).ToList();
        var gap = missing.Count == 0 ? "" : $" | NO {string.Join("/", missing)}";
        var text = $" {state}{gap} | {linkName} | pack {status.Address}{serial} | {ageText} | {rate} req/s | errors {status.Counters.Errors} | ? help";
        return (text, missing.Count > 0 && tone == Tone.Good ? Tone.Warning : tone);
    }

    /// <summary>True when the shown values are no longer current and must be marked old.</summary>
    public static bool IsOld(bool linkDown, PackStatus status, DateTimeOffset now, TimeSpan staleAfter)
        => Freshness(linkDown, status.State, status.LastSuccess is { } at ? now - at : null, staleAfter).Tone != Tone.Good;

    private static (string State, Tone Tone) Freshness(bool linkDown, PackLinkState state, TimeSpan? age, TimeSpan staleAfter)
    {
        var ageSuffix = age is { } a ? " " + Seconds(a) : "";
        if (linkDown)
        {
            return ("DISCONNECTED" + ageSuffix, Tone.Alarm);
        }
        return state switch
        {
            PackLinkState.Offline => ("OFFLINE" + ageSuffix, Tone.Alarm),
            PackLinkState.Connecting => ("CONNECTING", Tone.Warning),
            PackLinkState.Stale => ("STALE" + ageSuffix, Tone.Warning),
            // The poller may be stuck in a long retry: the clock, not only its word, decides.
            _ when age is null || age > staleAfter => ("STALE" + ageSuffix, Tone.Warning),
            _ => ("ONLINE", Tone.Good),
        };
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds < 10
        ? span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : ((long)span.TotalSeconds).ToString(CultureInfo.InvariantCulture) + " s";
}
