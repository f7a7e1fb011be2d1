using SeplosConsole.Tests.Bus;
using System.Diagnostics;
using SeplosConsole.Mqtt;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Tests.Support;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>Packs read from what bridges publish on a real mosquitto: one list, STALE when a bridge goes.</summary>
public sealed class BrokerFeedTests(ITestOutputHelper output)
{
    [Fact]
    public void A_snapshot_message_decodes_to_the_same_pack_and_bad_ones_are_reasons_not_exceptions()
    {
        var status = TestPacks.Status(3, TestPacks.Snapshot(3, new Dictionary<string, double> { ["current"] = -12.5, ["cell_7"] = 3.412 }, blocks: TestPacks.AllBlocks));
        var json = PackSnapshotMessage.Serialise(status, "garage", ["soc_low_alarm"], DateTimeOffset.UtcNow);
        Assert.DoesNotMatch("[A-Z][a-z]+\":", json);
        var (parsed, error) = PackSnapshotMessage.Parse(json);
        Assert.Null(error);
        Assert.Equal("garage", parsed!.Bridge);
        Assert.Equal(["soc_low_alarm"], parsed.WriteKeys);
        Assert.Equal(status.Snapshot.Fields.ToDictionary(f => f.Key, f => f.Value.Display), parsed.Status.Snapshot.Fields.ToDictionary(f => f.Key, f => f.Value.Display));
        Assert.Equal(status.Snapshot.Flags, parsed.Status.Snapshot.Flags);
        Assert.Equal(status.Counters, parsed.Status.Counters with { });
        Assert.Equal(status.Snapshot.UpdatedAt, parsed.Status.Snapshot.UpdatedAt);

        foreach (var bad in new[] { "", "[]", "{}", "{\"address\":300}", "{\"address\":0,\"blocks\":{\"pia\":{\"hex\":\"00\",\"read_at\":\"2026-01-01T00:00:00Z\"}}}", "{\"address\":0,\"blocks\":{\"pia\":{\"hex\":\"zz\"}}}" })
        {
            var (none, reason) = PackSnapshotMessage.Parse(bad);
            Assert.Null(none);
            Assert.False(string.IsNullOrEmpty(reason), bad);
        }
    }

    [Fact]
    public void A_pack_read_with_the_short_pia_fallback_reaches_the_viewer_with_the_same_gap()
    {
        // A pack that refuses PIA with 0x12 registers is read with 0x11 (34 bytes); the viewer must take it, not drop the pack.
        var full = TestPacks.Snapshot(2, blocks: TestPacks.AllBlocks);
        var pia = full.Blocks[BlockId.Pia];
        var shortened = full.With(new BlockReading(BlockId.Pia, pia.Payload[..34], pia.ReadAt));
        var json = PackSnapshotMessage.Serialise(TestPacks.Status(2, shortened), "shed", [], DateTimeOffset.UtcNow);

        var (parsed, error) = PackSnapshotMessage.Parse(json);

        Assert.Null(error);
        Assert.Equal(shortened.Fields["pack_voltage"].Display, parsed!.Status.Snapshot.Fields["pack_voltage"].Display);
        Assert.Equal(shortened.Missing.Select(m => m.ToString()), parsed.Status.Snapshot.Missing.Select(m => m.ToString()));
        Assert.NotEmpty(parsed.Status.Snapshot.Missing);
    }

    [Fact]
    public async Task Packs_of_two_bridges_make_one_list_and_a_bridge_that_goes_offline_leaves_its_packs_stale()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var garageFeed = new FakePackFeed(TestPacks.Status(0), TestPacks.Status(1));
        await using var garage = new RunningBridge(RunningBridge.Options(broker) with { Prefix = "garage" }, garageFeed, output: output);
        await using var shed = new RunningBridge(RunningBridge.Options(broker) with { Prefix = "shed", AllowWrites = true, WriteAllowList = ["soc_low_alarm"] },
            new FakePackFeed(TestPacks.Status(0, TestPacks.Snapshot(0, new Dictionary<string, double> { ["pack_voltage"] = 51.20 }))), output: output);

        var (options, prefixes, _) = BrokerAddress.Parse($"mqtt://{broker.Host}:{broker.Port}/garage,shed", null);
        var feed = new BrokerFeed(options!, prefixes);
        var events = new List<string>();
        feed.Event += (_, e) => { lock (events) { events.Add(e.ToString()); } };
        using var stop = new CancellationTokenSource();
        var running = feed.RunAsync(stop.Token);
        try
        {
            await FeedWaits.UntilAsync(feed, _ => feed.AllStatus.Count == 3 && feed.AllStatus.All(s => s.Snapshot.Has(BlockId.Pia)), "three packs");
            var packs = feed.AllStatus;
            // Both bridges have a pack 0: the first to arrive keeps number 0, the other takes the
            // first number no bus uses (16), and says where it comes from.
            Assert.Equal([0, 1, 16], packs.Select(p => (int)p.Address));
            var origins = packs.ToDictionary(p => (feed.Remote(p.Address)!.Value.Bridge, feed.Remote(p.Address)!.Value.Address), p => p.Address);
            Assert.Equal(1, origins[("garage", 1)]);
            Assert.Equal(new byte[] { 0, 16 }, new[] { origins[("garage", 0)], origins[("shed", 0)] }.Order());
            var shedPack = origins[("shed", 0)];
            Assert.Equal(["soc_low_alarm"], feed.Remote(shedPack)!.Value.WriteKeys);
            Assert.Empty(feed.Remote(origins[("garage", 0)])!.Value.WriteKeys);
            Assert.Equal(51.20, packs.Single(p => p.Address == shedPack).Snapshot.Value("pack_voltage"));
            Assert.Equal(52.80, packs.Single(p => p.Address == origins[("garage", 0)]).Snapshot.Value("pack_voltage"));
            Assert.All(packs, p => Assert.Equal(PackLinkState.Online, p.State));
            lock (events)
            {
                Assert.Contains(events, e => e.Contains($"pack {shedPack}: is pack 0 of bridge shed", StringComparison.Ordinal));
            }

            await shed.StopAsync();
            await FeedWaits.UntilAsync(feed, _ => feed.AllStatus.Single(p => p.Address == shedPack).State == PackLinkState.Stale, "shed's pack stale");
            Assert.Equal("bridge shed is offline", feed.AllStatus.Single(p => p.Address == shedPack).LastError);
            Assert.Equal(51.20, feed.AllStatus.Single(p => p.Address == shedPack).Snapshot.Value("pack_voltage"));
            Assert.Equal(PackLinkState.Online, feed.AllStatus.Single(p => p.Address == origins[("garage", 0)]).State);
        }
        finally
        {
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>
    /// Read → viewer latency: a bridge's feed reports a new reading, the viewer's feed raises it.
    /// The distribution goes to the test output (docs/mqtt.md quotes it); the bound is the 1 s.
    /// </summary>
    [Fact]
    public async Task A_new_reading_reaches_the_viewer_well_within_a_second()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var source = new FakePackFeed(TestPacks.Status(0));
        await using var bridge = new RunningBridge(RunningBridge.Options(broker), source, output: output);
        var (options, prefixes, _) = BrokerAddress.Parse($"mqtt://{broker.Host}:{broker.Port}", null);
        var feed = new BrokerFeed(options!, prefixes);
        var arrivals = new System.Collections.Concurrent.ConcurrentDictionary<double, long>();
        feed.PackUpdated += (_, s) => arrivals.TryAdd(s.Snapshot.Value("soc") ?? -1, Stopwatch.GetTimestamp());
        using var stop = new CancellationTokenSource();
        var running = feed.RunAsync(stop.Token);
        try
        {
            await FeedWaits.UntilAsync(feed, _ => feed.AllStatus.Count == 1, "the pack");
            var latencies = new List<double>();
            for (var i = 1; i <= 50; i++)
            {
                var soc = 10.0 + i;
                var readAt = Stopwatch.GetTimestamp();
                source.Update(TestPacks.Status(0, TestPacks.Snapshot(0, new Dictionary<string, double> { ["soc"] = soc })));
                await FeedWaits.UntilAsync(feed, _ => arrivals.ContainsKey(soc), $"soc {soc} at the viewer");
                latencies.Add(Stopwatch.GetElapsedTime(readAt, arrivals[soc]).TotalMilliseconds);
            }
            latencies.Sort();
            double P(double q) => latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(q * latencies.Count) - 1)];
            output.WriteLine($"read → viewer feed over {latencies.Count} readings: min {latencies[0]:0.0} ms, median {P(0.5):0.0} ms, p95 {P(0.95):0.0} ms, max {latencies[^1]:0.0} ms");
            Assert.True(latencies[^1] < 1000, $"max {latencies[^1]:0} ms");
        }
        finally
        {
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}
