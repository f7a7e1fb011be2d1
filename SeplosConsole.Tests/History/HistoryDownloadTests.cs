using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services.History;
using SeplosConsole.Simulation;

namespace SeplosConsole.Tests.History;

/// <summary>Downloading a history from the in-process simulator: the end, the limits, the cursor.</summary>
public class HistoryDownloadTests
{
    // A reply late by more than the timeout makes the client ask again, and the pack, which moved its
    // cursor on the first "next", skips a record: correct on a real bus, but on a loaded test machine it
    // would turn these lossless downloads into a missed record. Only the fault test wants the real timeout.
    private static readonly RtuClientOptions Patient = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static async Task<(SeplosClient Client, BmsSimulator Simulator, RtuClient Rtu)> ConnectAsync(SimulatorOptions options, RtuClientOptions? rtuOptions = null)
    {
        var transport = InProcessSimulatorTransport.Create(options);
        var rtu = new RtuClient(transport, rtuOptions ?? Patient);
        await rtu.ConnectAsync(CancellationToken.None);
        return (new SeplosClient(rtu), transport.Simulator, rtu);
    }

    private static async Task<List<HistoryRecord>> ReadAllAsync(HistoryDownload download, HistoryDownloadOptions options)
    {
        var records = new List<HistoryRecord>();
        await foreach (var record in download.ReadAsync(options, CancellationToken.None))
        {
            records.Add(record);
        }
        return records;
    }

    [Fact]
    public async Task Every_record_is_read_newest_first_until_the_pack_answers_0x81()
    {
        var (client, simulator, rtu) = await ConnectAsync(new SimulatorOptions { HistoryRecords = 25 });
        await using var _ = rtu;
        var download = new HistoryDownload(client, 0);

        var records = await ReadAllAsync(download, new HistoryDownloadOptions());

        var served = simulator.Pack(0).History;
        Assert.Equal(25, records.Count);
        Assert.All(records.Zip(served), pair => Assert.True(pair.First.SameAs(pair.Second), $"record {pair.First.RecordsRemaining} differs"));
        Assert.Equal(HistoryEnd.NoMoreRecords, download.End);
        Assert.Equal(25, download.Total);
        Assert.Equal(0, download.Missed);
        Assert.True(records.Zip(records.Skip(1)).All(p => p.First.Date > p.Second.Date), "records come newest first");
    }

    [Fact]
    public async Task A_pack_without_history_answers_0x81_to_the_first_request()
    {
        var (client, _, rtu) = await ConnectAsync(new SimulatorOptions { HistoryRecords = 0 });
        await using var _ = rtu;

        Assert.Null(await client.ReadHistoryRecordAsync(0, first: true, CancellationToken.None));
        Assert.Null(await client.ReadHistoryRecordAsync(0, first: false, CancellationToken.None));
    }

    [Fact]
    public async Task Max_and_since_stop_the_download_early()
    {
        var (client, simulator, rtu) = await ConnectAsync(new SimulatorOptions { HistoryRecords = 40 });
        await using var _ = rtu;
        var served = simulator.Pack(0).History;
        var since = served[9].Date!.Value;

        var limited = new HistoryDownload(client, 0);
        var firstFive = await ReadAllAsync(limited, new HistoryDownloadOptions { Max = 5 });
        var recent = new HistoryDownload(client, 0);
        var sinceTenth = await ReadAllAsync(recent, new HistoryDownloadOptions { Since = since });

        Assert.Equal((5, HistoryEnd.Max), (firstFive.Count, limited.End));
        Assert.Equal((10, HistoryEnd.Since), (sinceTenth.Count, recent.End));
        Assert.All(sinceTenth, r => Assert.True(r.Date >= since));
    }

    [Fact]
    public async Task A_request_repeated_after_a_lost_reply_shows_as_a_missed_record()
    {
        var (client, simulator, rtu) = await ConnectAsync(new SimulatorOptions { HistoryRecords = 10 }, new RtuClientOptions { Timeout = TimeSpan.FromSeconds(2) });
        await using var _ = rtu;
        var download = new HistoryDownload(client, 0);
        var records = new List<HistoryRecord>();

        await foreach (var record in download.ReadAsync(new HistoryDownloadOptions(), CancellationToken.None))
        {
            records.Add(record);
            if (records.Count == 3)
            {
                // The pack moves its cursor on this "next", but its reply is lost: the client asks again.
                simulator.Faults.InjectNext(SimulatedFault.NoReply);
            }
        }

        Assert.Equal(9, records.Count);
        Assert.Equal(1, download.Missed);
        Assert.Equal(HistoryEnd.NoMoreRecords, download.End);
    }
}
