using System.Diagnostics;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Transport;

namespace SeplosConsole.Services;

/// <summary>Mean and percentiles of a set of durations, in milliseconds.</summary>
public sealed record TimingSummary(int Count, double Mean, double P50, double P95, double P99, double Max)
{
    public static TimingSummary Of(IReadOnlyCollection<TimeSpan> samples)
    {
        if (samples.Count == 0)
        {
            return new TimingSummary(0, 0, 0, 0, 0, 0);
        }
        var sorted = samples.Select(s => s.TotalMilliseconds).Order().ToArray();
        // Nearest rank: the smallest sample with at least q of all samples at or below it.
        double Rank(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new TimingSummary(sorted.Length, sorted.Average(), Rank(0.50), Rank(0.95), Rank(0.99), sorted[^1]);
    }
}

/// <summary>What <c>seplos bench</c> measured; the JSON output is this record.</summary>
public sealed record BenchResult
{
    public required string Link { get; init; }
    public required IReadOnlyList<byte> Packs { get; init; }
    public required int BaudRate { get; init; }
    public required double TurnaroundMs { get; init; }
    public required double ElapsedSeconds { get; init; }
    /// <summary>PIA+PIB+PIC of one pack, from the first request to the last reply (answered polls only).</summary>
    public required TimingSummary FullRefresh { get; init; }
    /// <summary>Request to reply, per block name (PIA, PIB, PIC).</summary>
    public required IReadOnlyDictionary<string, TimingSummary> RoundTrips { get; init; }
    public required long Refreshes { get; init; }
    public required long FailedPolls { get; init; }
    public required double RefreshesPerSecond { get; init; }
    /// <summary>Time for every pack once: elapsed / (refreshes / packs).</summary>
    public required double SweepMs { get; init; }
    /// <summary>Wire time of one full refresh (145 bytes at 19200 8N1 ≈ 75.5 ms) plus 3 turnarounds.</summary>
    public required double TheoreticalRefreshMs { get; init; }
    public required double TheoreticalSweepMs { get; init; }
    /// <summary>Measured refresh rate over the theoretical one (1 = the wire is the only limit).</summary>
    public required double ShareOfTheoreticalRate { get; init; }
    public required long BytesSent { get; init; }
    public required long BytesReceived { get; init; }
    /// <summary>Wire time of the bytes sent and received over the elapsed time.</summary>
    public required double Efficiency { get; init; }
    /// <summary>The best efficiency the line allows with the turnaround: wire / (wire + 3 turnarounds) per refresh.</summary>
    public required double TheoreticalEfficiency { get; init; }
    public required long Timeouts { get; init; }
    public required long CrcErrors { get; init; }
    public required long Exceptions { get; init; }
    public required long Mismatches { get; init; }
    public required long DiscardedBytes { get; init; }
    public required long LinkDrops { get; init; }
    public required long Reconnects { get; init; }
    /// <summary>Faults the simulator injected (null on real hardware).</summary>
    public long? FaultsInjected { get; init; }
    public required int PacksOnlineAtEnd { get; init; }
    /// <summary>Most failed polls of one pack in a row: 1 means every fault was recovered from by the next poll.</summary>
    public required int MaxFailedPollsInARow { get; init; }
    /// <summary>Packs whose last poll failed when the run stopped (a fault just before the end).</summary>
    public required int PacksFailingAtEnd { get; init; }
    /// <summary>Processor time of the whole process over the elapsed time (1 = one core busy).</summary>
    public required double CpuShare { get; init; }
    public required double ResidentMemoryStartMiB { get; init; }
    /// <summary>
    /// Resident memory once warmed up (after a quarter of the run, at most 60 s): before that the
    /// JIT and the GC taking 4 MiB regions for its gen0 budget add ~35 MiB (measured: flat after ~50 s).
    /// </summary>
    public required double ResidentMemoryWarmMiB { get; init; }
    public required double ResidentMemoryEndMiB { get; init; }
    /// <summary>Live managed objects after a full collection, once warmed up and at the end: a leak shows here, GC slack does not.</summary>
    public required double ManagedHeapWarmMiB { get; init; }
    public required double ManagedHeapEndMiB { get; init; }
}

/// <summary>
/// Runs a <see cref="BusPoller"/> as fast as the line allows (interval 0, PIA/PIB/PIC only) for a
/// while and measures refresh times, round trips, bytes and errors against what the baud rate
/// allows. Used by <c>seplos bench</c>; useful on real hardware to choose a poll interval.
/// </summary>
public static class BusBenchmark
{
    /// <summary>Bytes of one full refresh: each live block's request (8) and reply (PIA 41, PIB 57, PIC 23).</summary>
    public static int FullRefreshBytes { get; } = SeplosMap.LiveBlocks
        .SelectMany(b => SeplosMap.Block(b).Requests(0))
        .Sum(r => r.Encode().Length + r.ExpectedResponseLength);

    public static int RequestsPerRefresh { get; } = SeplosMap.LiveBlocks.Sum(b => SeplosMap.Block(b).Requests(0).Count());

    public static async Task<BenchResult> RunAsync(
        SeplosClient client,
        IReadOnlyList<byte> packs,
        TimeSpan duration,
        int baudRate,
        TimeSpan turnaround,
        Func<long>? faultsInjected,
        CancellationToken cancellationToken)
    {
        var rtu = client.Rtu;
        var refreshes = new List<TimeSpan>();
        var failed = 0L;
        var inARow = packs.Distinct().ToDictionary(p => p, _ => 0);
        var maxInARow = 0;
        var roundTrips = SeplosMap.LiveBlocks.ToDictionary(b => SeplosMap.Block(b).Start, _ => new List<TimeSpan>());
        var poller = new BusPoller(client, new PollerOptions
        {
            Addresses = packs,
            Interval = TimeSpan.Zero,
            ReadSlowBlocks = false,
            ReadSystemBlocks = false,
        });
        // Both events come from the bus task, one at a time: the lists need no lock.
        poller.Polled += (_, timing) =>
        {
            if (timing.Answered)
            {
                refreshes.Add(timing.Elapsed);
                inARow[timing.Address] = 0;
            }
            else
            {
                failed++;
                maxInARow = Math.Max(maxInARow, ++inARow[timing.Address]);
            }
        };
        void OnReply(object? sender, RtuRoundTrip trip)
        {
            if (roundTrips.TryGetValue(trip.Request.Start, out var list))
            {
                list.Add(trip.RoundTrip);
            }
        }
        rtu.ReplyReceived += OnReply;
        var memoryStart = ResidentMiB();
        var cpuStart = ProcessorTime();
        var before = rtu.Counters.Snapshot();
        var stopwatch = Stopwatch.StartNew();
        var memoryWarm = (Resident: memoryStart, Managed: ManagedMiB());
        try
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            run.CancelAfter(duration);
            var warmUp = duration / 4 < MaxWarmUp ? duration / 4 : MaxWarmUp;
            var sampleWarm = SampleAfterAsync(warmUp, run.Token);
            await poller.RunAsync(run.Token).ConfigureAwait(false);
            memoryWarm = await sampleWarm.ConfigureAwait(false) ?? (ResidentMiB(), ManagedMiB());
        }
        finally
        {
            rtu.ReplyReceived -= OnReply;
        }
        stopwatch.Stop();
        cancellationToken.ThrowIfCancellationRequested();
        var after = rtu.Counters.Snapshot();
        var elapsed = stopwatch.Elapsed.TotalSeconds;

        // The Seplos V3 line is 8N1 (register reference, "Link"); only the speed varies.
        var line = SerialLineSettings.SeplosDefault with { BaudRate = baudRate };
        var refreshWire = line.WireTime(FullRefreshBytes).TotalSeconds;
        var theoreticalRefresh = refreshWire + (RequestsPerRefresh * turnaround.TotalSeconds);
        var sent = after.BytesSent - before.BytesSent;
        var received = after.BytesReceived - before.BytesReceived;
        var rate = refreshes.Count / elapsed;
        return new BenchResult
        {
            Link = rtu.Transport.Name,
            Packs = packs,
            BaudRate = baudRate,
            TurnaroundMs = turnaround.TotalMilliseconds,
            ElapsedSeconds = elapsed,
            FullRefresh = TimingSummary.Of(refreshes),
            RoundTrips = SeplosMap.LiveBlocks.ToDictionary(b => SeplosMap.Block(b).Name, b => TimingSummary.Of(roundTrips[SeplosMap.Block(b).Start])),
            Refreshes = refreshes.Count,
            FailedPolls = failed,
            RefreshesPerSecond = rate,
            SweepMs = refreshes.Count == 0 ? 0 : elapsed * 1000 / ((double)refreshes.Count / packs.Count),
            TheoreticalRefreshMs = theoreticalRefresh * 1000,
            TheoreticalSweepMs = theoreticalRefresh * 1000 * packs.Count,
            ShareOfTheoreticalRate = rate * theoreticalRefresh,
            BytesSent = sent,
            BytesReceived = received,
            Efficiency = line.WireTime(sent + received).TotalSeconds / elapsed,
            TheoreticalEfficiency = refreshWire / theoreticalRefresh,
            Timeouts = after.Timeouts - before.Timeouts,
            CrcErrors = after.CrcErrors - before.CrcErrors,
            Exceptions = after.Exceptions - before.Exceptions,
            Mismatches = after.Mismatches - before.Mismatches,
            DiscardedBytes = after.DiscardedBytes - before.DiscardedBytes,
            LinkDrops = poller.LinkDrops,
            Reconnects = poller.Reconnects,
            FaultsInjected = faultsInjected?.Invoke(),
            PacksOnlineAtEnd = poller.AllStatus.Count(s => s.State == PackLinkState.Online),
            MaxFailedPollsInARow = maxInARow,
            PacksFailingAtEnd = inARow.Values.Count(n => n > 0),
            CpuShare = (ProcessorTime() - cpuStart).TotalSeconds / elapsed,
            ResidentMemoryStartMiB = memoryStart,
            ResidentMemoryWarmMiB = memoryWarm.Resident,
            ResidentMemoryEndMiB = ResidentMiB(),
            ManagedHeapWarmMiB = memoryWarm.Managed,
            ManagedHeapEndMiB = ManagedMiB(),
        };
    }

    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(60);

    private static async Task<(double Resident, double Managed)?> SampleAfterAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            return (ResidentMiB(), ManagedMiB());
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static TimeSpan ProcessorTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static double ManagedMiB() => GC.GetTotalMemory(forceFullCollection: true) / (1024.0 * 1024.0);

    private static double ResidentMiB()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64 / (1024.0 * 1024.0);
    }
}
