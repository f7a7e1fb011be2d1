using System.Globalization;
using SeplosConsole.Services;

namespace SeplosConsole.Tui;

/// <summary>
/// The bottom line: link, pack address and serial, age of the last reading, requests per second,
/// bus errors, and the freshness state in words (ONLINE, STALE 12 s, OFFLINE, DISCONNECTED).
/// </summary>
public static class StatusLine
{
    /// <summary>Always at the right end of the line, whatever else has to give way.</summary>
    public const string HelpHint = "? help";

    /// <param name="extra">State of something beside the bus (e.g. "MQTT connected"), shown last; null for none.</param>
    /// <param name="hidden">Panes the terminal has no room for ("hidden: log"); null when all show.</param>
    /// <param name="width">The line's width: parts are dropped, least useful first, and the reason for a
    /// failure is shortened, so that the state and "? help" always show (80 columns and less).</param>
    public static (string Text, Tone Tone) Describe(string linkName, bool linkDown, PackStatus? status, DateTimeOffset now, TimeSpan staleAfter, double? requestsPerSecond,
        string? extra = null, int width = int.MaxValue, string? hidden = null)
    {
        if (status is null)
        {
            return (Fit([new(linkName, 1), new("no pack configured", 0)], width), Tone.Warning);
        }
        var age = status.LastSuccess is { } at ? now - at : (TimeSpan?)null;
        var (state, tone) = Freshness(linkDown, status.State, age, staleAfter);
        // Why it is not online, in the words of the layer that failed (the CLI prints the same text).
        var reason = tone != Tone.Good && status.LastError is { Length: > 0 } error ? error : null;
        var serial = status.Serial is { } s ? $" SN {s}" : "";
        var ageText = age is { } a ? $"{Seconds(a)} ago" : "no reading yet";
        var rate = requestsPerSecond is { } r ? r.ToString("0.0", CultureInfo.InvariantCulture) : "--";
        // A block the pack refused: its panels stay empty ("--"); the line says which (the log says why).
        var missing = status.Snapshot.Missing.Where(m => m.WholeBlock).Select(m => m.BlockName).ToList();
        var gap = missing.Count == 0 ? null : $"NO {string.Join("/", missing)}";
        // Lower rank = kept longer.
        List<Part> parts =
        [
            new(state, 0),
            new(gap, 0),
            new(reason, 1, Shrinks: true),
            new(linkName, 3),
            // Without room, the serial goes and the address stays.
            new($"pack {status.Address}{serial}", 6, Short: $"pack {status.Address}"),
            new(ageText, 4),
            new($"{rate} req/s", 7),
            new($"errors {status.Counters.Errors}", 5),
            new(extra, 8),
            // Panes without room: never gone without a sign.
            new(hidden, 2),
        ];
        return (Fit(parts, width), missing.Count > 0 && tone == Tone.Good ? Tone.Warning : tone);
    }

    /// <param name="Shrinks">Cut with "…" rather than dropped.</param>
    /// <param name="Short">Replaces the text (then kept) rather than dropping it.</param>
    private sealed record Part(string? Text, int Rank, bool Shrinks = false, string? Short = null);

    private static string Fit(List<Part> parts, int width)
    {
        var shown = parts.Where(p => !string.IsNullOrEmpty(p.Text)).ToList();
        string Join() => " " + string.Join(" | ", shown.Select(p => p.Text)) + " | " + HelpHint;
        var line = Join();
        while (line.Length > width)
        {
            // A reason that would not fit is shortened before anything of lower rank goes.
            var shrinking = shown.FirstOrDefault(p => p.Shrinks);
            var droppable = shown.Where(p => p.Rank > (shrinking?.Rank ?? int.MaxValue) || (shrinking is null && p.Rank > 0)).MaxBy(p => p.Rank);
            if (droppable is { Short: { } shorter })
            {
                shown[shown.IndexOf(droppable)] = droppable with { Text = shorter, Short = null, Rank = 0 };
            }
            else if (droppable is not null)
            {
                shown.Remove(droppable);
            }
            else if (shrinking is not null)
            {
                var room = shrinking.Text!.Length - (line.Length - width) - 1;
                var index = shown.IndexOf(shrinking);
                if (room < 12)
                {
                    shown.RemoveAt(index);
                }
                else
                {
                    shown[index] = shrinking with { Text = shrinking.Text[..room].TrimEnd() + "…", Shrinks = false };
                }
            }
            else
            {
                // Only the state and "? help" are left and still too wide: cut from the middle.
                return line.Length <= HelpHint.Length + 2 ? line : line[..Math.Max(1, width - HelpHint.Length - 2)] + "… " + HelpHint;
            }
            line = Join();
        }
        return line;
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
