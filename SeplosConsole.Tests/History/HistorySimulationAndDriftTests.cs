using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using SeplosConsole.Cli;
using SeplosConsole.Mqtt;
using SeplosConsole.Seplos;
using SeplosConsole.Simulation;

namespace SeplosConsole.Tests.History;

/// <summary>The simulator's history and clock, the progress line, and the MQTT clock_drift sensor.</summary>
public class HistorySimulationAndDriftTests
{
    [Theory]
    [InlineData(2026, 1, 15)]
    [InlineData(2026, 7, 1)]
    [InlineData(2026, 10, 31)]
    public void The_simulated_history_spans_months_with_a_charge_over_voltage_and_a_cold_charge_block_whatever_the_date(int year, int month, int day)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(year, month, day, 12, 0, 0, TimeSpan.Zero));
        var pack = new SimulatedPack(0, new SimulatorOptions { ClockDrift = TimeSpan.Zero }, time);

        var history = pack.History;

        Assert.Equal(300, history.Length);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => 299L - i), history.Select(r => r.RecordsRemaining));
        Assert.True(history[0].Date - history[^1].Date > TimeSpan.FromDays(180), "records reach back months");
        Assert.Contains(history, r => Has(r, "charging") && Has(r, "cell_over_voltage_protection_active") && r.CellRange!.Value.Max > 3.6);
        Assert.Contains(history, r => Has(r, "charge_under_temperature_protection_active") && r.Current == 0 && r.CellTemperatures.Min() < 2
            && r.Date!.Value.Month is 11 or 12 or 1 or 2 or 3);
    }

    private static bool Has(HistoryRecord record, string key) => record.Events.Any(e => e.Key == key);

    [Fact]
    public void The_simulated_clock_runs_with_its_drift_and_a_date_write_resets_it()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var simulator = new BmsSimulator(new SimulatorOptions { ClockDrift = TimeSpan.FromMinutes(-7) }, time);
        var local = TimeZoneInfo.ConvertTime(time.GetUtcNow(), TimeZoneInfo.Local).DateTime;

        Assert.Equal(local.AddMinutes(-7), simulator.Pack(0).ClockNow);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(local.AddHours(1).AddMinutes(-7), simulator.Pack(0).ClockNow);

        var registers = Tb13Date.Registers(local.AddHours(1));
        var write = Rtu.RtuRequest.WriteRegisters(0, 0x1500, registers).Encode();
        var reply = Assert.Single(simulator.Feed(write));
        Assert.Equal(0x10, reply.Bytes[1]);
        Assert.Equal(local.AddHours(1), simulator.Pack(0).ClockNow);
    }

    [Fact]
    public void A_write_to_the_control_registers_after_the_date_is_refused_by_the_simulated_pack()
    {
        var simulator = new BmsSimulator(new SimulatorOptions());
        // 0x1517 is power-off: never in the map, and the simulated pack does not take it either.
        var reply = Assert.Single(simulator.Feed(Rtu.RtuRequest.WriteRegisters(0, 0x1517, [0x55AA]).Encode()));

        Assert.Equal([0x00, 0x90, 0x02], reply.Bytes[..3]);
    }

    [Fact]
    public void The_progress_line_redraws_in_place_on_a_terminal_and_stays_silent_otherwise()
    {
        var terminal = new StringWriter();
        var piped = new StringWriter();
        var drawn = new ProgressLine(terminal, enabled: true);
        var silent = new ProgressLine(piped, enabled: false);

        drawn.Draw(30, 300, 15.0, "records", force: true);
        drawn.Draw(300, 300, 15.0, "records", force: true);
        drawn.Finish();
        silent.Draw(30, 300, 15.0, "records", force: true);
        silent.Finish();

        Assert.Equal("\r[##......................] 30/300 records  15.0/s  18 s left\r[########################] 300/300 records  15.0/s  0 s left" + Environment.NewLine, terminal.ToString());
        Assert.Equal("", piped.ToString());
    }

    [Fact]
    public void Mqtt_publishes_clock_drift_in_seconds_as_a_diagnostic_duration_sensor()
    {
        var options = new MqttOptions { Server = "localhost" };
        // Whole seconds: the pack's date (TB13) holds no fraction, so the drift is a whole number.
        var readAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var sca = new byte[8];
        Tb13Date.Encode(TimeZoneInfo.ConvertTime(readAt, TimeZoneInfo.Local).DateTime.AddSeconds(-95), sca);
        var snapshot = SeplosConsole.Tests.Mqtt.TestPacks.Snapshot(0).With(new BlockReading(BlockId.Sca, sca, readAt));
        var status = SeplosConsole.Tests.Mqtt.TestPacks.Status(0, snapshot);

        var values = PackStateValues.Collect(status, options).ToDictionary(v => v.Key, v => v.Payload);
        var discovery = new HomeAssistantDiscovery(options, new MqttTopics(options.Prefix, options.DiscoveryPrefix));
        var config = discovery.For(status).Single(m => m.Topic.EndsWith("/clock_drift/config", StringComparison.Ordinal));
        var json = JsonNode.Parse(config.Payload)!;

        Assert.Equal("-95", values["clock_drift"]);
        Assert.Equal("s", (string?)json["unit_of_measurement"]);
        Assert.Equal("duration", (string?)json["device_class"]);
        Assert.Equal("diagnostic", (string?)json["entity_category"]);
    }
}
