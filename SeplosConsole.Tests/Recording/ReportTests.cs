using System.Text.Json.Nodes;
using SeplosConsole.Simulation;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Recording;

/// <summary><c>seplos report</c> and <c>seplos export</c> on recordings of the simulator.</summary>
public sealed class ReportTests
{
    private static async Task<string> RecordAsync(int polls, SimulatorOptions options)
    {
        var path = Path.Combine(TempDirectory.Create(), "day.rec");
        await File.WriteAllBytesAsync(path, RecordingSamples.Write(RecordingSamples.Polls(polls, TimeSpan.FromSeconds(1), options)));
        return path;
    }

    [Theory]
    [InlineData(15.0)]
    [InlineData(-25.0)]
    public async Task The_energy_of_an_hour_at_a_constant_current_is_that_current_times_an_hour(double amps)
    {
        // 3601 polls a second apart: 3600 s held at the current (± the simulator's 0.2 A ripple, which averages out).
        var path = await RecordAsync(3601, new SimulatorOptions { ConstantCurrent = amps });

        var result = await CliRunner.RunAsync(["report", path, "--json"]);

        Assert.Equal(0, result.ExitCode);
        var pack = JsonNode.Parse(result.Output)!["packs"]![0]!;
        var (into, outOf) = amps > 0 ? ("charged", "discharged") : ("discharged", "charged");
        var ah = pack[$"{into}_ah"]!.GetValue<double>();
        Assert.Equal(Math.Abs(amps), ah, Math.Abs(amps) * 0.005);
        Assert.Equal(0, pack[$"{outOf}_ah"]!.GetValue<double>());
        // kWh is ∫V·I: between the lowest and the highest pack voltage times the charge.
        var volts = pack["extremes"]!["pack_voltage"]!;
        var kwh = pack[$"{into}_kwh"]!.GetValue<double>();
        Assert.InRange(kwh, ah * volts["min"]!.GetValue<double>() / 1000, ah * volts["max"]!.GetValue<double>() / 1000);
        Assert.Equal(3600, pack["seconds"]!.GetValue<double>(), 1);
        Assert.Equal(0, pack["gaps"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_text_report_names_the_span_energy_extremes_spread_balancing_and_alarms()
    {
        // Two hours of the 40-minute cycle: charge to the top (the cells drift and balance), rest, discharge.
        var path = await RecordAsync(7200, new SimulatorOptions());

        var result = await CliRunner.RunAsync(["report", path]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("pack 0: ", result.Output);
        Assert.Contains("(1 h 59 min, 7200 updates)", result.Output);
        Assert.Matches(@"charged\s+\d+\.\d\d Ah\s+\d+\.\d{3} kWh", result.Output);
        Assert.Matches(@"discharged\s+\d+\.\d\d Ah\s+\d+\.\d{3} kWh", result.Output);
        Assert.Matches(@"largest cell spread 0\.\d{3} V at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", result.Output);
        foreach (var key in new[] { "pack_voltage", "current", "cell_1 ", "cell_16", "cell_temp_1", "power_temp" })
        {
            Assert.Contains($"  {key}", result.Output);
        }
        Assert.Contains("balancing: ", result.Output);
        Assert.Contains("alarms: ", result.Output);
    }

    [Fact]
    public async Task Export_writes_a_header_and_one_row_per_update_with_a_column_per_reading()
    {
        var path = await RecordAsync(10, new SimulatorOptions());

        var result = await CliRunner.RunAsync(["export", path, "--csv"]);

        Assert.Equal(0, result.ExitCode);
        var header = result.Lines[0].Split(',');
        Assert.Equal(["time", "address", "pack_voltage", "current"], header[..4]);
        Assert.Contains("cell_16", header);
        Assert.Equal("problems", header[^1]);
        Assert.Equal(11, result.Lines.Length);
        Assert.All(result.Lines[1..], row => Assert.Equal(header.Length, row.Split(',').Length));
        Assert.StartsWith("2026-12-01T08:00:00.000Z,0,", result.Lines[1]);
    }

    [Theory]
    [InlineData("report", "does not exist")]
    [InlineData("export --csv", "does not exist")]
    public async Task A_missing_file_is_one_line_and_exit_1(string command, string message)
    {
        var result = await CliRunner.RunAsync([.. command.Split(' '), "/nonexistent/r.rec"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public async Task A_file_that_is_not_a_recording_is_one_line_and_exit_1()
    {
        var path = Path.Combine(TempDirectory.Create(), "notes.txt");
        await File.WriteAllTextAsync(path, "shopping list\nmilk\n");

        var result = await CliRunner.RunAsync(["report", path]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("holds no readings", result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
    }
}
