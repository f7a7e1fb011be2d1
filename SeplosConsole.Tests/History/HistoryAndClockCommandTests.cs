using System.Text.Json.Nodes;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Writes;
using SeplosConsole.Simulation;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.History;

/// <summary>`seplos history` and `seplos clock` against the simulator on a real pseudo-terminal, as a user runs them.</summary>
[Collection(TimingCollection.Name)]
public class HistoryAndClockCommandTests
{
    [Fact]
    public async Task History_csv_downloads_every_simulated_record_and_reports_the_rate()
    {
        await using var link = await SimulatedLink.StartAsync(new SimulatorOptions { HistoryRecords = 30 });
        var served = link.Simulator.Pack(0).History;
        await GenerousTimeoutAsync(link);

        var result = await link.RunAsync("history", "--csv");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(HistoryOutputHeader, result.Lines[0]);
        Assert.Equal(served.Select(SeplosConsole.Cli.HistoryOutput.CsvRow), result.Lines[1..]);
        Assert.Matches(@"^30 record\(s\) in \d+\.\d s: \d+\.\d records/s \(wire limit at 19200 8N1: 20\.6/s, \d+ %\)$", result.Error.Trim());
    }

    private static string HistoryOutputHeader => SeplosConsole.Cli.HistoryOutput.CsvHeader;

    /// <summary>
    /// The reply time-out is a deadline: on a loaded machine a late reply repeats a "next", and the
    /// pack's cursor skips a record (exit 3). A generous one keeps these tests about the download.
    /// </summary>
    private static Task GenerousTimeoutAsync(SimulatedLink link)
        => File.WriteAllTextAsync(Path.Combine(link.Directory, "seplos.ini"), "[seplos]\ntimeout_ms = 3000\n");

    [Fact]
    public async Task An_interrupted_download_keeps_every_record_it_wrote_as_valid_json_lines()
    {
        await using var link = await SimulatedLink.StartAsync(new SimulatorOptions { HistoryRecords = 300 });
        var file = Path.Combine(link.Directory, "history.jsonl");
        await GenerousTimeoutAsync(link);
        using var stop = new CancellationTokenSource();

        var running = CliRunner.RunUntilCancelledAsync(["--port", link.Path, "history", "--json", "-o", file], link.Directory, stop.Token);
        // Ctrl+C once five records are on disk (a deadline, not a sleep: the download is paced by the wire).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (LinesIn(file) < 5 && DateTime.UtcNow < deadline && !running.IsCompleted)
        {
            await Task.Delay(20);
        }
        await stop.CancelAsync();
        var result = await running;

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("interrupted: kept ", result.Error.Trim());
        var lines = File.ReadAllLines(file);
        Assert.InRange(lines.Length, 5, 299);
        var served = link.Simulator.Pack(0).History;
        for (var i = 0; i < lines.Length; i++)
        {
            var json = JsonNode.Parse(lines[i])!;
            Assert.Equal(served[i].RecordsRemaining, json["records_remaining"]!.GetValue<long>());
            Assert.Equal(served[i].DateText, json["date"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_pack_that_goes_silent_mid_download_leaves_the_records_so_far_and_one_error_line()
    {
        await using var link = await SimulatedLink.StartAsync(new SimulatorOptions { HistoryRecords = 300 });
        var file = Path.Combine(link.Directory, "history.csv");
        await GenerousTimeoutAsync(link);

        var running = link.RunAsync("history", "--csv", "-o", file);
        // Silence the pack once five records are on disk. A deadline, not a sleep: the records are
        // written by the child process, which raises no event here; the wire paces them.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (LinesIn(file) < 6 && DateTime.UtcNow < deadline && !running.IsCompleted)
        {
            await Task.Delay(20);
        }
        link.Simulator.Faults.InjectAlways(SimulatedFault.NoReply);
        var result = await running;

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Matches(@"^error: .+; kept \d+ record\(s\) to ", error);
        var lines = File.ReadAllLines(file);
        Assert.Equal(SeplosConsole.Cli.HistoryOutput.CsvHeader, lines[0]);
        Assert.Equal(link.Simulator.Pack(0).History.Take(lines.Length - 1).Select(SeplosConsole.Cli.HistoryOutput.CsvRow), lines[1..]);
    }

    private static int LinesIn(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Count(c => c == '\n');
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    [Fact]
    public async Task Listen_mode_refuses_history_because_it_transmits()
    {
        var result = await CliRunner.RunAsync(["--simulate", "--listen", "history"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: history asks the pack for each record, and listen mode never transmits: connect to the pack on a port of its own, without --listen", result.Error.Trim());
    }

    [Theory]
    [InlineData(new[] { "--json", "--csv" }, "--json and --csv: choose one")]
    [InlineData(new[] { "--max", "0" }, "--max: give a number of records above 0")]
    [InlineData(new[] { "--since", "yesterday" }, "--since: 'yesterday' is not a date")]
    public async Task Bad_history_options_are_usage_errors_that_name_the_option(string[] options, string message)
    {
        var result = await CliRunner.RunAsync(["--simulate", "history", .. options]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([$"error: {message}", "Try 'seplos --help'."], result.Error.Trim().Split('\n').Select(l => l.Length > message.Length + 7 && l.StartsWith("error: ", StringComparison.Ordinal) ? l[..(message.Length + 7)] : l));
    }

    [Fact]
    public async Task Clock_shows_the_pack_time_the_host_time_and_the_drift()
    {
        await using var link = await SimulatedLink.StartAsync(new SimulatorOptions { ClockDrift = TimeSpan.FromMinutes(-5) });

        var result = await link.RunAsync("clock", "--json");

        Assert.Equal(0, result.ExitCode);
        var json = JsonNode.Parse(result.Output)!;
        Assert.InRange(json["drift_seconds"]!.GetValue<double>(), -302, -298);
        Assert.Equal("local", json["zone"]!.GetValue<string>());
    }

    [Fact]
    public async Task Clock_set_without_a_terminal_or_yes_writes_nothing_and_is_journaled()
    {
        await using var link = await SimulatedLink.StartAsync();
        var before = link.Simulator.Pack(0).ClockNow - DateTime.Now;

        var result = await link.RunAsync("clock", "--set");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no terminal to confirm on", result.Error);
        Assert.Contains("cancelled: system_date", result.Error);
        var drift = link.Simulator.Pack(0).ClockNow - DateTime.Now;
        Assert.True(Math.Abs((drift - before).TotalSeconds) < 2, "the pack's clock was not touched");
        var entry = Assert.Single(new WriteJournal(link.JournalPath).Read());
        Assert.Equal(("system_date", "cancelled", "0x1500"), (entry.Key, entry.Result, entry.Register));
    }

    [Fact]
    public async Task Clock_set_asks_for_yes_at_a_terminal_and_a_typed_no_cancels()
    {
        await using var link = await SimulatedLink.StartAsync();

        var declined = await link.RunAsync("no\n", true, "clock", "--set");

        Assert.Equal(1, declined.ExitCode);
        Assert.Contains("system_date: ", declined.Output);
        Assert.Contains(" → ", declined.Output);
        Assert.Contains("Type yes to set the clock of pack 0", declined.Output);
        Assert.True((link.Simulator.Pack(0).ClockNow - DateTime.Now).TotalHours > 7, "the 8 h drift is still there");
    }

    [Fact]
    public async Task Clock_set_yes_brings_the_drift_under_two_seconds_journaling_before_and_after()
    {
        await using var link = await SimulatedLink.StartAsync();

        var set = await link.RunAsync("clock", "--set", "--yes");
        var after = await link.RunAsync("clock", "--json");

        Assert.Equal(0, set.ExitCode);
        Assert.Contains("system_date: set; read back", set.Output);
        Assert.InRange(JsonNode.Parse(after.Output)!["drift_seconds"]!.GetValue<double>(), -2, 2);
        Assert.Equal([WriteJournal.SendingResult, "confirmed"], new WriteJournal(link.JournalPath).Read().Select(e => e.Result));
    }
}

/// <summary>`seplos decode` on a history download as it would appear on the wire.</summary>
public class HistoryDecodeTests
{
    [Fact]
    public async Task Decode_names_the_history_request_every_record_field_its_events_and_the_end()
    {
        var first = RtuRequestFor(SeplosMap.HistoryFirstCommand);
        var record = HistoryLayoutTests.Record(HistoryRecordCodec.EventBytesOf([SeplosMap.FindFlag("charging")!, SeplosMap.FindFlag("cell_over_voltage_protection_active")!]));
        var payload = HistoryRecordCodec.Encode(record);
        var reply = new byte[5 + payload.Length];
        reply[1] = 0x04;
        reply[2] = (byte)payload.Length;
        payload.CopyTo(reply, 3);
        Rtu.Crc16Modbus.Seal(reply);
        var next = RtuRequestFor(SeplosMap.HistoryNextCommand);
        byte[] end = [0x00, 0x84, 0x81, 0, 0];
        Rtu.Crc16Modbus.Seal(end);

        var result = await CliRunner.RunAsync(["decode", Convert.ToHexString([.. first, .. reply, .. next, .. end])]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("note: history request 0x55AA: the first (newest) record", result.Output);
        Assert.Contains("note: history request 0xAA55: the next record", result.Output);
        Assert.Contains("record_date 2024-05-14 00:09:52  (unconfirmed)", result.Output);
        foreach (var field in SeplosMap.HistoryFields)
        {
            Assert.Contains($"   {field.Key} ", result.Output);
        }
        Assert.Contains("set: charging, cell_over_voltage_protection_active", result.Output);
        Assert.Contains("exception 0x81: no history record", result.Output);
        Assert.Contains("4 valid frame(s) (2 request(s), 1 response(s), 1 exception(s), 2 paired", result.Output);
    }

    private static byte[] RtuRequestFor(ushort command)
        => Rtu.RtuRequest.ReadWithCommand(0, SeplosMap.HistoryRequestStart, command, SeplosMap.Block(BlockId.Hia).Count).Encode();
}
