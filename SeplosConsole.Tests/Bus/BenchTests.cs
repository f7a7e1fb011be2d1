using System.Text.Json;
using SeplosConsole.Services;
using SeplosConsole.Tests.Support;
using SeplosConsole.Transport;

namespace SeplosConsole.Tests.Bus;

[Collection(TimingCollection.Name)]
public sealed class BenchTests
{
    [Fact]
    public void Full_refresh_is_145_bytes_and_75_5_ms_on_the_wire_at_19200_baud()
    {
        Assert.Equal(8 + 41 + 8 + 57 + 8 + 23, BusBenchmark.FullRefreshBytes);
        Assert.Equal(3, BusBenchmark.RequestsPerRefresh);
        Assert.Equal(0.0755, SerialLineSettings.SeplosDefault.WireTime(BusBenchmark.FullRefreshBytes).TotalSeconds, 4);
    }

    [Fact]
    public void Wire_time_counts_start_parity_and_stop_bits_of_each_byte()
    {
        // 8E2 is 12 bits a byte: 1200 bytes at 9600 baud take 1.5 s, where 8N1 takes 1.25 s.
        var line = new SerialLineSettings(9600, System.IO.Ports.Parity.Even, 8, System.IO.Ports.StopBits.Two);

        Assert.Equal(TimeSpan.FromSeconds(1.5), line.WireTime(1200));
        Assert.Equal(TimeSpan.FromSeconds(1.25), (line with { Parity = System.IO.Ports.Parity.None, StopBits = System.IO.Ports.StopBits.One }).WireTime(1200));
    }

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var samples = Enumerable.Range(1, 100).Select(i => TimeSpan.FromMilliseconds(i)).Reverse().ToList();

        var summary = TimingSummary.Of(samples);

        Assert.Equal(new TimingSummary(100, 50.5, 50, 95, 99, 100), summary);
        Assert.Equal(0, TimingSummary.Of([]).Count);
    }

    [Fact]
    public async Task Bench_json_over_the_paced_simulator_has_the_figures_near_the_theory()
    {
        var result = await CliRunner.RunAsync(["bench", "--simulate", "--packs", "0,1", "--seconds", "1.5", "--json"]);

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.Equal(105.5, root.GetProperty("theoretical_refresh_ms").GetDouble(), 1);
        Assert.True(root.GetProperty("refreshes").GetInt64() >= 2);
        // One refresh cannot beat the wire and the turnarounds. (How close it gets is what the
        // bench itself is for; a test suite running beside it on two cores must not decide that.)
        Assert.InRange(root.GetProperty("full_refresh").GetProperty("p50").GetDouble(), 105, 300);
        // Wire time over elapsed time cannot beat wire / (wire + turnarounds).
        Assert.InRange(root.GetProperty("efficiency").GetDouble(), 0.01, root.GetProperty("theoretical_efficiency").GetDouble());
        Assert.Equal(0, root.GetProperty("reconnects").GetInt64());
        Assert.Equal(0, root.GetProperty("timeouts").GetInt64());
        Assert.Equal(2, root.GetProperty("packs_online_at_end").GetInt32());
        Assert.True(root.GetProperty("round_trips").GetProperty("PIB").GetProperty("p99").GetDouble() > 43.8);
    }

    [Fact]
    public async Task Bench_with_injected_faults_counts_them_and_keeps_going()
    {
        var result = await CliRunner.RunAsync(["bench", "--simulate", "--packs", "0", "--seconds", "1.5", "--fault-rate", "0.3"]);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("efficiency (wire/elapsed)", result.Output, StringComparison.Ordinal);
        var injected = result.Lines.Single(l => l.StartsWith("faults injected", StringComparison.Ordinal));
        Assert.NotEqual("faults injected 0", string.Join(' ', injected.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task Fault_rate_without_the_simulator_is_refused()
    {
        var result = await CliRunner.RunAsync(["bench", "--port", "/dev/null-nothing", "--fault-rate", "0.1"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--fault-rate needs --simulate", result.Error, StringComparison.Ordinal);
    }
}
