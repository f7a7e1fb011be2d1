using System.Collections.Concurrent;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Simulation;

namespace SeplosConsole.Tests.Bus;

/// <summary>
/// The poller (behind the dashboard and the MQTT bridge) with a pack that refuses a block: the
/// other readings go on, the gap is in the snapshot and logged once.
/// </summary>
public sealed class PartialPollTests : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running).WaitAsync(FeedWaits.Timeout);
        _stop.Dispose();
    }

    private (BusPoller Poller, ConcurrentQueue<BusEvent> Log) Start(params RefusedRead[] refused)
    {
        var transport = InProcessSimulatorTransport.Create(new SimulatorOptions { Turnaround = TimeSpan.FromMilliseconds(1), RefusedReads = refused });
        var rtu = new RtuClient(transport, new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(300), Retries = 1 });
        var poller = new BusPoller(new SeplosClient(rtu), new PollerOptions { Addresses = [0], Interval = TimeSpan.FromMilliseconds(50) });
        var log = new ConcurrentQueue<BusEvent>();
        poller.Event += (_, e) => log.Enqueue(e);
        _running.Add(poller.RunAsync(_stop.Token));
        return (poller, log);
    }

    [Fact]
    public async Task A_pack_refusing_pic_stays_online_with_every_other_reading_and_pic_named_missing()
    {
        var (poller, log) = Start(new RefusedRead(BlockId.Pic));

        // Two polls after the first: the refusal is kept, not retried into Stale.
        await FeedWaits.UntilAsync(poller, s => s[0].Snapshot.Has(BlockId.Spa), "SPA read");
        await FeedWaits.AllFreshAsync(poller, DateTimeOffset.UtcNow);
        await FeedWaits.AllFreshAsync(poller, DateTimeOffset.UtcNow);

        var status = poller.Status(0);
        Assert.Equal(PackLinkState.Online, status.State);
        Assert.NotNull(status.Snapshot.Value("pack_voltage"));
        Assert.NotNull(status.Snapshot.Value("cell_1"));
        Assert.NotNull(status.Snapshot.Text("bms_serial"));
        // No alarm or state flag from the refused PIC (SFA's switches are read and may be there).
        Assert.Empty(SeplosMap.FlagsOf(BlockId.Pic).Where(f => status.Snapshot.Flags.ContainsKey(f.Key)));
        Assert.Equal(BlockId.Pic, Assert.Single(status.Snapshot.Missing).Block);
        // Logged once, although every poll asks again.
        Assert.Single(log, e => e.Level == BusEventLevel.Warning && e.Message.StartsWith("PIC not read, the other readings go on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pack_refusing_via_is_not_asked_again_and_its_identity_is_named_missing()
    {
        var (poller, _) = Start(new RefusedRead(BlockId.Via));

        await FeedWaits.UntilAsync(poller, s => s[0].Snapshot.Has(BlockId.Spa), "SPA read");

        var snapshot = poller.Status(0).Snapshot;
        Assert.Equal(BlockId.Via, Assert.Single(snapshot.Missing).Block);
        Assert.NotNull(snapshot.Value("cell_count"));
        Assert.NotEmpty(snapshot.Flags);
    }

    [Fact]
    public async Task A_pack_refusing_pia_with_0x12_registers_is_polled_with_0x11()
    {
        var (poller, _) = Start(new RefusedRead(BlockId.Pia, 0x12));

        await FeedWaits.UntilAsync(poller, s => s[0].Snapshot.Has(BlockId.Spa), "SPA read");
        await FeedWaits.AllFreshAsync(poller, DateTimeOffset.UtcNow);

        var status = poller.Status(0);
        Assert.Equal(PackLinkState.Online, status.State);
        Assert.NotNull(status.Snapshot.Value("pack_voltage"));
        Assert.Null(status.Snapshot.Value("pia_reserved_11"));
        Assert.Equal(["pia_reserved_11"], Assert.Single(status.Snapshot.Missing).Keys);
        Assert.Equal((ushort)0x11, poller.Client.ShortReadOf(0, BlockId.Pia));
    }

    [Fact]
    public async Task A_pack_refusing_every_live_block_fails_its_polls_as_a_silent_one_does()
    {
        var (poller, _) = Start(new RefusedRead(BlockId.Pia), new RefusedRead(BlockId.Pib), new RefusedRead(BlockId.Pic));

        await FeedWaits.StateAsync(poller, 0, PackLinkState.Stale);
    }
}
