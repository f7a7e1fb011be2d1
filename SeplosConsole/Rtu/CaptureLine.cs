using System.Globalization;
using System.Text.RegularExpressions;

namespace SeplosConsole.Rtu;

/// <summary>Which way a captured line went, when the capture says so.</summary>
public enum CaptureDirection
{
    Unknown,
    /// <summary><c>&gt;&gt;&gt;</c>, <c>&gt;</c>, <c>TX</c>, <c>-&gt;</c>: sent by the capturing side.</summary>
    Sent,
    /// <summary><c>&lt;&lt;&lt;</c>, <c>&lt;</c>, <c>RX</c>, <c>&lt;-</c>: received.</summary>
    Received,
}

/// <summary>
/// One line of a capture as people publish them, split into what comes before the bytes
/// (timestamp, line number, direction marker) and the hex text itself:
/// <c>12:00:01.234 &gt;&gt;&gt; 01.04.10.00.00.12.75.16</c>, <c>[2024-05-14 10:00:01] RX: 01 04 24 …</c>,
/// <c>17: TX 0x01,0x04,…</c>. The prefix is blanked rather than cut, so token columns in warnings
/// still point into the original line. Stateless and thread-safe.
/// </summary>
/// <param name="Hex">The line with its prefix replaced by spaces: only bytes (and separators) remain.</param>
/// <param name="Time">The leading timestamp, as time since midnight (or seconds for <c>[ 12.345]</c>), when there is one.</param>
public sealed partial record CaptureLine(string Hex, CaptureDirection Direction, TimeSpan? Time)
{
    // One prefix item at the start of what is left of the line. A time of day must not be
    // followed by ':' (then it is colon-separated hex: 01:04:10:00 …) and must have something
    // after it (a line of just "12:00:01" is three bytes); a bare number counts as a
    // line number only with ':', ')' or '|' and a blank after it, or in front of a timestamp or a
    // direction marker.
    [GeneratedRegex("""
        \G\s*(?:
            \[?(?<date>\d{4}-\d{2}-\d{2}[T\x20])?(?<tod>\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?)(?!:)(?:Z|[+-]\d{2}:?\d{2})?\]?(?=\s+\S)
          | \[\s*(?<seconds>\d+(?:\.\d+)?)\s*\]
          | (?:\#\d+|\d+(?=[:)|]\s))[:)|]?(?=\s)
          | \d+(?=\s*(?:>>>|<<<|->|<-|>|<|TX\b|RX\b|TX:|RX:))
          | \d+(?=\s+\[?(?:\d{4}-\d{2}-\d{2}[T\x20])?\d{1,2}:\d{2}:\d{2}(?!:))
          | (?<sent>>>>|->|>>|>|TX\b:?|TX:|Tx:?|tx:?)
          | (?<received><<<|<-|<<|<|RX\b:?|RX:|Rx:?|rx:?)
        )[\s:]*
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    private static partial Regex PrefixItem();

    public static CaptureLine Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var direction = CaptureDirection.Unknown;
        TimeSpan? time = null;
        var end = 0;
        // A marker ends the prefix: after it come the bytes, whatever they look like.
        while (direction == CaptureDirection.Unknown && PrefixItem().Match(line, end) is { Success: true, Length: > 0 } item)
        {
            end = item.Index + item.Length;
            if (item.Groups["tod"].Success && TimeSpan.TryParse(item.Groups["tod"].Value.Replace(',', '.'), CultureInfo.InvariantCulture, out var tod))
            {
                time = tod;
            }
            else if (item.Groups["seconds"].Success && double.TryParse(item.Groups["seconds"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                time = TimeSpan.FromSeconds(seconds);
            }
            direction = item.Groups["sent"].Success ? CaptureDirection.Sent
                : item.Groups["received"].Success ? CaptureDirection.Received
                : CaptureDirection.Unknown;
        }
        return new CaptureLine(new string(' ', end) + line[end..], direction, time);
    }
}
