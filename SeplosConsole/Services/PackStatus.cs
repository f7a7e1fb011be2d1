using SeplosConsole.Rtu;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services;

/// <summary>How fresh the picture of a pack is.</summary>
public enum PackLinkState
{
    /// <summary>Nothing read yet.</summary>
    Connecting,
    /// <summary>The last poll answered.</summary>
    Online,
    /// <summary>Recent polls failed; the values shown are getting old.</summary>
    Stale,
    /// <summary>The pack stopped answering (or the adapter is gone); retried with back-off.</summary>
    Offline,
}

/// <summary>One pack as the front ends see it: the latest snapshot and how it is doing.</summary>
public sealed record PackStatus(
    byte Address,
    PackLinkState State,
    PackSnapshot Snapshot,
    DateTimeOffset? LastSuccess,
    string? LastError,
    LinkCountersSnapshot Counters)
{
    public string? Serial => Snapshot.Text("bms_serial") is { Length: > 0 } s ? s : null;
}

public enum BusEventLevel { Info, Warning, Error }

/// <summary>Something worth a line in a log pane or on stderr.</summary>
public sealed record BusEvent(DateTimeOffset Time, BusEventLevel Level, byte? Address, string Message)
{
    public override string ToString() => $"{Time.ToLocalTime():HH:mm:ss} {(Address is { } a ? $"pack {a}: " : "")}{Message}";
}

/// <summary>One poll of a pack (all its blocks) and how long it took, retries and waits included.</summary>
public sealed record PollTiming(byte Address, TimeSpan Elapsed, bool Answered);
