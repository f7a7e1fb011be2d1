using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Writes;
using SeplosConsole.Simulation;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Writes;

/// <summary>The clock's pipeline against the in-process simulator (its packs start 8 h off the host).</summary>
public sealed class ClockWriterTests
{
    private static async Task<(ClockWriter Writer, WriteJournal Journal, RtuClient Rtu, SeplosClient Client)> ConnectAsync()
    {
        var transport = InProcessSimulatorTransport.Create(new SimulatorOptions());
        var rtu = new RtuClient(transport, new RtuClientOptions { Timeout = TimeSpan.FromSeconds(10) });
        await rtu.ConnectAsync(CancellationToken.None);
        var client = new SeplosClient(rtu);
        var journal = new WriteJournal(Path.Combine(TempDirectory.Create(), "journal.jsonl"));
        return (new ClockWriter(client, 0, journal, "TEST-SERIAL"), journal, rtu, client);
    }

    [Fact]
    public async Task A_terminal_that_goes_away_at_the_confirmation_is_a_journaled_cancel_and_nothing_is_written()
    {
        var (writer, journal, rtu, client) = await ConnectAsync();
        await using var _ = rtu;
        var before = await client.ReadClockAsync(0, CancellationToken.None);

        var outcome = await writer.ExecuteAsync(TimeZoneInfo.Local,
            (_, _) => Task.FromException<bool>(new IOException("Input/output error")), CancellationToken.None);

        Assert.Equal(WriteResult.Cancelled, outcome.Result);
        Assert.Contains("could not be confirmed (Input/output error); nothing written", outcome.Message, StringComparison.Ordinal);
        var entry = Assert.Single(journal.Read());
        Assert.Equal("cancelled", entry.Result);
        Assert.Equal(SeplosMap.SystemDate.Key, entry.Key);
        var after = await client.ReadClockAsync(0, CancellationToken.None);
        Assert.NotNull(before.PackTime);
        Assert.NotNull(after.PackTime);
        // Still about 8 h off: the pack's clock was not set.
        Assert.True(after.Drift(TimeZoneInfo.Local)!.Value.Duration() > TimeSpan.FromHours(1), $"the pack's clock moved to {after.PackTime}");
    }

    [Fact]
    public async Task A_yes_given_after_the_caller_was_stopped_sets_nothing_and_is_journaled_as_cancelled()
    {
        var (writer, journal, rtu, client) = await ConnectAsync();
        await using var _ = rtu;
        using var stop = new CancellationTokenSource();

        var outcome = await writer.ExecuteAsync(TimeZoneInfo.Local, async (_, _) =>
        {
            await stop.CancelAsync();
            return true;
        }, stop.Token);

        Assert.Equal(WriteResult.Cancelled, outcome.Result);
        Assert.Equal(["cancelled"], journal.Read().Select(e => e.Result));
        var after = await client.ReadClockAsync(0, CancellationToken.None);
        Assert.True(after.Drift(TimeZoneInfo.Local)!.Value.Duration() > TimeSpan.FromHours(1), $"the pack's clock moved to {after.PackTime}");
    }

    [Fact]
    public async Task A_confirmed_write_journals_sending_then_confirmed_and_sets_the_clock()
    {
        var (writer, journal, rtu, client) = await ConnectAsync();
        await using var _ = rtu;

        var outcome = await writer.ExecuteAsync(TimeZoneInfo.Local, (_, _) => Task.FromResult(true), CancellationToken.None);

        Assert.Equal(WriteResult.Confirmed, outcome.Result);
        Assert.Equal(["sending", "confirmed"], journal.Read().Select(e => e.Result));
        var after = await client.ReadClockAsync(0, CancellationToken.None);
        Assert.True(after.Drift(TimeZoneInfo.Local)!.Value.Duration() <= ClockWriter.Tolerance, $"the pack's clock reads {after.PackTime}");
    }
}
