using SeplosConsole.Seplos;

namespace SeplosConsole.Services;

/// <summary>What a failed poll means for a pack.</summary>
public enum PollOutcome
{
    /// <summary>It failed, but fewer times in a row than <see cref="PollerOptions.FailuresBeforeOffline"/>: retried next round.</summary>
    Stale,
    /// <summary>It failed too often in a row: retried after a back-off that doubles up to <see cref="PollerOptions.RetryMax"/>.</summary>
    Offline,
}

/// <summary>
/// Decides which pack the bus serves next and which blocks it reads, from a clock alone: no I/O,
/// so its timing is tested under a fake clock. <see cref="BusPoller"/> drives it.
/// </summary>
/// <remarks>
/// Round robin: of the packs that are due, the one due longest goes first, so with an interval
/// of zero every answering pack gets one poll per sweep. A pack that fails keeps its place for
/// <see cref="PollerOptions.FailuresBeforeOffline"/> rounds (one lost reply is no reason to wait
/// seconds), then is only tried once per back-off period (1 s, 2 s, 4 s … 30 s): a dead address
/// among live ones costs at most one timeout × tries per back-off period, never every sweep.
/// Not thread-safe: the bus task owns it.
/// </remarks>
public sealed class PollScheduler
{
    private readonly PollerOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<byte, PackSchedule> _packs = [];
    private int _linkFailures;

    public PollScheduler(PollerOptions options, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        foreach (var address in options.Addresses.Distinct())
        {
            _packs[address] = new PackSchedule(address);
        }
    }

    public IReadOnlyCollection<byte> Addresses => _packs.Keys;

    /// <summary>Failed polls in a row of a pack (0 once it answers).</summary>
    public int Failures(byte address) => _packs[address].Failures;

    /// <summary>When the pack is next due.</summary>
    public DateTimeOffset NextPoll(byte address) => _packs[address].NextPoll;

    /// <summary>The pack to poll now, or null when none is due (wait until <see cref="EarliestDue"/>).</summary>
    public byte? NextDue()
    {
        var now = _time.GetUtcNow();
        PackSchedule? next = null;
        foreach (var pack in _packs.Values)
        {
            if (pack.NextPoll <= now && (next is null || pack.NextPoll < next.NextPoll))
            {
                next = pack;
            }
        }
        return next?.Address;
    }

    public DateTimeOffset EarliestDue => _packs.Values.Min(p => p.NextPoll);

    /// <summary>The blocks of the pack's next poll: PIA/PIB/PIC, plus the slow and system blocks when due.</summary>
    public IReadOnlyList<BlockId> BlocksFor(byte address)
    {
        var pack = _packs[address];
        var slow = _options.ReadSlowBlocks && IsSlowDue(pack);
        var blocks = new List<BlockId>(SeplosMap.LiveBlocks);
        if (slow)
        {
            // This poll serves the request; one made while it runs (a write between two of its
            // blocks) asks again, for the next poll.
            pack.SlowDue = false;
            pack.SlowReadInPoll = true;
            blocks.AddRange(SeplosMap.SlowBlocks);
            blocks.AddRange(SeplosMap.OptionalSlowBlocks);
        }
        if (_options.ReadSystemBlocks && address == 0)
        {
            blocks.Add(BlockId.Eia);
            blocks.Add(BlockId.Eic);
            if (slow)
            {
                blocks.Add(BlockId.Eib);
            }
        }
        blocks.RemoveAll(pack.Unsupported.Contains);
        return blocks;
    }

    /// <summary>The pack refused an optional block (a slave asked for EIA, old firmware without PCT): stop asking.</summary>
    public void MarkUnsupported(byte address, BlockId block) => _packs[address].Unsupported.Add(block);

    /// <summary>Re-read the slow blocks (SPA …) of a pack on its next poll, e.g. after a write.</summary>
    public void RefreshParameters(byte address)
    {
        if (_packs.TryGetValue(address, out var pack))
        {
            pack.SlowDue = true;
        }
    }

    /// <summary>A poll that started at <paramref name="started"/> read every block.</summary>
    public void Answered(byte address, DateTimeOffset started)
    {
        var pack = _packs[address];
        if (pack.SlowReadInPoll)
        {
            pack.LastSlowRead = started;
            pack.SlowReadInPoll = false;
        }
        pack.Failures = 0;
        // From the start of this poll, so the interval is the time between two refreshes, not a pause after each.
        pack.NextPoll = started + _options.Interval;
    }

    /// <summary>A poll failed (no answer, CRC errors, a refusal); says whether the pack is now stale or offline.</summary>
    public PollOutcome Failed(byte address)
    {
        var pack = _packs[address];
        if (pack.SlowReadInPoll)
        {
            pack.SlowDue = true;
            pack.SlowReadInPoll = false;
        }
        pack.Failures++;
        var now = _time.GetUtcNow();
        if (pack.Failures < _options.FailuresBeforeOffline)
        {
            pack.NextPoll = now + _options.Interval;
            return PollOutcome.Stale;
        }
        var backoff = Backoff(pack.Failures - _options.FailuresBeforeOffline + 1);
        pack.NextPoll = now + (backoff > _options.Interval ? backoff : _options.Interval);
        return PollOutcome.Offline;
    }

    /// <summary>
    /// The link failed, or could not be opened; returns the wait before the next attempt. The count
    /// is only reset by an answer (<see cref="LinkAnswered"/>), not by a successful open: a
    /// gateway that accepts connections and drops them at once is retried with back-off too.
    /// </summary>
    public TimeSpan LinkFailed() => Backoff(++_linkFailures);

    /// <summary>Link failures since the last answer.</summary>
    public int LinkFailures => _linkFailures;

    /// <summary>A pack answered over the link: it works again.</summary>
    public void LinkAnswered() => _linkFailures = 0;

    /// <summary>The link is open again: every pack is polled at once, whatever back-off it was in.</summary>
    public void LinkRestored()
    {
        var now = _time.GetUtcNow();
        foreach (var pack in _packs.Values)
        {
            // Packs went silent because the adapter was gone, not because they stopped answering.
            if (pack.NextPoll > now)
            {
                pack.NextPoll = now;
            }
        }
    }

    /// <summary>1 s, 2 s, 4 s … up to <see cref="PollerOptions.RetryMax"/> for the n-th failure (n ≥ 1).</summary>
    public TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Clamp(failures - 1, 0, 16));
        var delay = TimeSpan.FromTicks((long)Math.Min(_options.RetryMin.Ticks * factor, _options.RetryMax.Ticks));
        return delay < _options.RetryMin ? _options.RetryMin : delay;
    }

    private bool IsSlowDue(PackSchedule pack)
        => pack.SlowDue || pack.LastSlowRead is null || _time.GetUtcNow() - pack.LastSlowRead >= _options.SlowInterval;

    private sealed class PackSchedule(byte address)
    {
        public byte Address { get; } = address;
        public DateTimeOffset NextPoll { get; set; } = DateTimeOffset.MinValue;
        public DateTimeOffset? LastSlowRead { get; set; }
        public bool SlowDue { get; set; } = true;
        public bool SlowReadInPoll { get; set; }
        public int Failures { get; set; }
        public HashSet<BlockId> Unsupported { get; } = [];
    }
}
