namespace SeplosConsole.Services;

public sealed record PollerOptions
{
    /// <summary>Pack addresses on the bus (0–15).</summary>
    public IReadOnlyList<byte> Addresses { get; init; } = [0];

    /// <summary>Time between the starts of two polls of one pack; zero polls as fast as the line allows.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>SPA, VIA and PCT change rarely: read at start, after a write and at this interval.</summary>
    public TimeSpan SlowInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Read SPA/VIA/PCT at all; <c>seplos bench</c> turns it off to time PIA/PIB/PIC refreshes only.</summary>
    public bool ReadSlowBlocks { get; init; } = true;

    /// <summary>Also read the system blocks (EIA, EIC) from address 0, the master of a parallel system.</summary>
    public bool ReadSystemBlocks { get; init; }

    /// <summary>Failed polls in a row before a pack is reported offline.</summary>
    public int FailuresBeforeOffline { get; init; } = 3;

    /// <summary>
    /// Wait before asking a block again when the pack answered "busy" (Modbus exception 0x06); it is
    /// asked again once, then the poll fails. Short against the interval, long against a reply (~50 ms).
    /// </summary>
    public TimeSpan BusyRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Back-off for an offline pack or a lost adapter: doubles from the first to the last value.</summary>
    public TimeSpan RetryMin { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan RetryMax { get; init; } = TimeSpan.FromSeconds(30);
}
