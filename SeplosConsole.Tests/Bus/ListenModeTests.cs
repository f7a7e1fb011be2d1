using SeplosConsole.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Simulation;
using SeplosConsole.Transport;

namespace SeplosConsole.Tests.Bus;

/// <summary>Listen mode: the packs of a parallel system decoded from the master's traffic, never transmitting.</summary>
[Collection(TimingCollection.Name)]
public sealed class ListenModeTests : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("seplos-listen-").FullName;
    private readonly CancellationTokenSource _stop = new();

    private string LinkPath => Path.Combine(_directory, "ttyLISTEN0");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Listener_on_a_simulated_parallel_system_shows_every_pack_and_never_writes()
    {
        var host = new PtySimulatorHost();
        var options = new SimulatorOptions { Addresses = [0, 1, 2], Master = true, PlayMaster = true, MasterPollInterval = TimeSpan.FromMilliseconds(150) };
        var serving = host.RunAsync(LinkPath, options, _stop.Token);
        await host.Ready.WaitAsync(FeedWaits.Timeout);
        var transport = new WriteCountingTransport(new SerialPortTransport(LinkPath, SerialLineSettings.SeplosDefault));
        var feed = new ListenFeed(transport, new ListenOptions { Addresses = [0] });
        var listening = feed.RunAsync(_stop.Token);

        await FeedWaits.UntilAsync(
            feed,
            all => all.Count == 3 && all.All(s => s.State == PackLinkState.Online && SeplosMap.LiveBlocks.All(s.Snapshot.Has))
                && feed.Listener.CountersFor(1).Snapshot().Replies >= 3 && feed.Listener.CountersFor(2).Snapshot().Replies >= 3,
            "packs 0, 1 and 2 with PIA, PIB and PIC, and the slaves' replies paired with the master's requests");

        foreach (var status in feed.AllStatus)
        {
            var snapshot = status.Snapshot;
            var cells = Enumerable.Range(1, 16).Select(i => snapshot.Value($"cell_{i}")!.Value).ToArray();
            Assert.All(cells, v => Assert.InRange(v, 3.0, 3.6));
            Assert.InRange(snapshot.Value("pack_voltage")!.Value, cells.Sum() - 0.05, cells.Sum() + 0.05);
            Assert.InRange(snapshot.Value("soc")!.Value, 1, 100);
            Assert.True(snapshot.Flag("discharge_fet_on"));
            // It matches what the simulated pack holds.
            Assert.Equal(host.Simulator!.Pack(status.Address).Value("cycles"), snapshot.Value("cycles"));
        }
        // The master's own frames have no request before them.
        Assert.Equal(0, feed.Listener.CountersFor(0).Snapshot().Requests);
        Assert.True(feed.IsListenOnly);
        Assert.False(feed.IsLinkDown);
        Assert.Equal(0, transport.BytesWritten);
        Assert.Equal(0, host.BytesFromClient);

        await _stop.CancelAsync();
        await Task.WhenAll(serving, listening).WaitAsync(FeedWaits.Timeout);
        Assert.Equal(0, transport.BytesWritten);
    }

    [Fact]
    public async Task Listener_picks_the_bus_up_again_when_the_simulated_master_is_restarted()
    {
        var options = new SimulatorOptions { Addresses = [0, 1], PlayMaster = true, MasterPollInterval = TimeSpan.FromMilliseconds(100) };
        using var first = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var host = new PtySimulatorHost();
        var serving = host.RunAsync(LinkPath, options, first.Token);
        await host.Ready.WaitAsync(FeedWaits.Timeout);
        var feed = new ListenFeed(new SerialPortTransport(LinkPath, SerialLineSettings.SeplosDefault));
        var listening = feed.RunAsync(_stop.Token);
        await FeedWaits.UntilAsync(feed, all => all.Count == 2 && all.All(s => s.State == PackLinkState.Online), "packs 0 and 1 heard");
        var linkDown = FeedWaits.UntilAsync(feed, all => feed.IsLinkDown && all.All(s => s.State == PackLinkState.Offline), "link down");

        await first.CancelAsync();
        await serving.WaitAsync(FeedWaits.Timeout);
        await linkDown;
        var stoppedAt = DateTimeOffset.UtcNow;
        var again = new PtySimulatorHost();
        var servingAgain = again.RunAsync(LinkPath, options, _stop.Token);
        await FeedWaits.AllFreshAsync(feed, stoppedAt);

        Assert.False(feed.IsLinkDown);
        await _stop.CancelAsync();
        await Task.WhenAll(servingAgain, listening).WaitAsync(FeedWaits.Timeout);
    }

    [Fact]
    public async Task Writes_are_refused_with_the_reason()
    {
        var feed = new ListenFeed(InProcessSimulatorTransport.Create(new SimulatorOptions()));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(
            () => feed.RunOnBusAsync((client, ct) => Task.FromResult(1), CancellationToken.None));

        Assert.StartsWith("listen mode: this program never transmits", refused.Message, StringComparison.Ordinal);
        Assert.True(((IPackFeed)feed).IsListenOnly);
    }

    [Fact]
    public void Poller_is_not_listen_only()
    {
        IPackFeed poller = new BusPoller(new SeplosClient(new RtuClient(InProcessSimulatorTransport.Create(new SimulatorOptions()))), new PollerOptions());

        Assert.False(poller.IsListenOnly);
    }

    [Fact]
    public void Pack_not_heard_goes_stale_then_offline_and_online_again_when_heard()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var feed = new ListenFeed(InProcessSimulatorTransport.Create(new SimulatorOptions()), new ListenOptions(), clock);
        var pia = Reply(1, BlockId.Pia);

        feed.Listener.Hear(pia);
        Assert.Equal(PackLinkState.Online, feed.Status(1)!.State);
        clock.Advance(TimeSpan.FromSeconds(5));
        feed.Age();
        Assert.Equal(PackLinkState.Stale, feed.Status(1)!.State);
        clock.Advance(TimeSpan.FromSeconds(25));
        feed.Age();
        Assert.Equal(PackLinkState.Offline, feed.Status(1)!.State);
        feed.Listener.Hear(pia);

        Assert.Equal(PackLinkState.Online, feed.Status(1)!.State);
        Assert.True(feed.Status(1)!.Snapshot.Has(BlockId.Pia));
    }

    [Fact]
    public void Unasked_replies_are_identified_by_length_and_pib_is_told_from_eia_by_its_cells()
    {
        var simulator = new BmsSimulator(new SimulatorOptions { Addresses = [0, 1], Master = true });
        var heard = new List<HeardBlock>();
        var listener = new BusListener(InProcessSimulatorTransport.Create(new SimulatorOptions()));
        listener.BlockHeard += (_, block) => heard.Add(block);

        foreach (var block in new[] { BlockId.Pia, BlockId.Pib, BlockId.Pic, BlockId.Eia, BlockId.Eic })
        {
            listener.Hear(Reply(simulator, 0, block));
        }

        Assert.Equal([BlockId.Pia, BlockId.Pib, BlockId.Pic, BlockId.Eia, BlockId.Eic], heard.Select(h => h.Reading.Block));
        Assert.All(heard, h => Assert.False(h.Paired));
    }

    [Fact]
    public void The_masters_unasked_coil_replies_never_raise_an_alarm_sfa_is_heard_as_settings_and_a_lone_ambiguous_one_is_dropped()
    {
        // sp05b capture, 0x5C restored to 0x0A: the master's EIA, EIB, then its two 10-byte coil replies.
        byte[] eia = Convert.FromHexString("00043414A6000000000000348000006D60000000F100006D60000000010000000000000708000007080000024001D00001000A01E003E7370A");
        byte[] eib = Convert.FromHexString("00042C0CE80CE80000000014A614A60000000000E500DD00E10000000101E001E0000A03E700F000F000F000000000559F");
        byte[] eic = Convert.FromHexString("00010A100000000000000300002E65");
        byte[] sfa = Convert.FromHexString("00010AFFFF3F017F2F9F0F636F54A1");
        var feed = new ListenFeed(InProcessSimulatorTransport.Create(new SimulatorOptions()));
        var heard = new List<BlockId>();
        feed.Listener.BlockHeard += (_, block) => heard.Add(block.Reading.Block);

        feed.Listener.Hear(eic);
        Assert.Equal(1, feed.Listener.AmbiguousReplies);
        Assert.Empty(heard);

        foreach (var frame in new[] { eia, eib, eic, sfa })
        {
            feed.Listener.Hear(frame);
        }

        Assert.Equal([BlockId.Eia, BlockId.Eib, BlockId.Eic, BlockId.Sfa], heard);
        var snapshot = feed.Status(0)!.Snapshot;
        Assert.Empty(snapshot.ActiveProblems);
        Assert.True(snapshot.Flag("system_standby"));
        Assert.True(snapshot.Flag("cell_over_voltage_protection_enabled"));
        Assert.Equal(1, feed.Listener.AmbiguousReplies);
    }

    [Fact]
    public void Requests_and_replies_of_other_masters_are_paired_and_partial_reads_are_not_taken_for_blocks()
    {
        var simulator = new BmsSimulator(new SimulatorOptions { Addresses = [3] });
        var heard = new List<HeardBlock>();
        var listener = new BusListener(InProcessSimulatorTransport.Create(new SimulatorOptions()));
        listener.BlockHeard += (_, block) => heard.Add(block);
        var spaHalf = RtuRequest.ReadInputRegisters(3, 0x1300, 0x35).Encode();
        var pib = SeplosMap.Block(BlockId.Pib).Requests(3).Single().Encode();

        // Run together in one chunk, with noise in front, as a USB adapter delivers them.
        byte[] stream = [0xFF, 0x13, .. spaHalf, .. simulator.Feed(spaHalf)[0].Bytes, .. pib, .. simulator.Feed(pib)[0].Bytes];
        listener.Hear(stream);

        var only = Assert.Single(heard);
        Assert.Equal(BlockId.Pib, only.Reading.Block);
        Assert.True(only.Paired);
        Assert.Equal(2, listener.CountersFor(3).Snapshot().Requests);
        Assert.Equal(2, listener.CountersFor(3).Snapshot().Replies);
        Assert.Equal(2, listener.BadBytes);
    }

    [Fact]
    public void The_vendor_softwares_0x11_register_pia_read_is_heard_as_pia_paired_or_not()
    {
        // Register reference, "Parallel stacks": the vendor software reads PIA with 0x11 registers, the
        // master with 0x12; the 18th register is then missing, not zero.
        var simulator = new BmsSimulator(new SimulatorOptions { Addresses = [2] });
        var request = RtuRequest.ReadInputRegisters(2, SeplosMap.Block(BlockId.Pia).Start, 0x11).Encode();
        var reply = simulator.Feed(request)[0].Bytes;
        var feed = new ListenFeed(InProcessSimulatorTransport.Create(new SimulatorOptions()));
        var heard = new List<HeardBlock>();
        feed.Listener.BlockHeard += (_, block) => heard.Add(block);

        feed.Listener.Hear([.. request, .. reply]);
        feed.Listener.Hear(reply);

        Assert.Equal([(BlockId.Pia, true), (BlockId.Pia, false)], heard.Select(h => (h.Reading.Block, h.Paired)));
        var snapshot = feed.Status(2)!.Snapshot;
        Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(3)) / 100.0, snapshot.Fields["pack_voltage"].Value);
        Assert.False(snapshot.Fields.ContainsKey("pia_reserved_11"), "the 0x12th register was not read");
    }

    private static byte[] Reply(byte address, BlockId block)
        => Reply(new BmsSimulator(new SimulatorOptions { Addresses = [address] }), address, block);

    private static byte[] Reply(BmsSimulator simulator, byte address, BlockId block)
        => simulator.Feed(SeplosMap.Block(block).Requests(address).Single().Encode())[0].Bytes;

    /// <summary>Wraps a transport and counts what is written through it.</summary>
    private sealed class WriteCountingTransport(IBusTransport inner) : ForwardingTransport(inner)
    {
        private long _bytesWritten;

        public long BytesWritten => Interlocked.Read(ref _bytesWritten);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _bytesWritten, data.Length);
            return base.WriteAsync(data, cancellationToken);
        }
    }
}
