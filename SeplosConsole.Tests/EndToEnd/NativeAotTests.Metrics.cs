using System.Text;
using SeplosConsole.Tests.Metrics;
using SeplosConsole.Tests.Mqtt;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.EndToEnd;

/// <summary>The OpenTelemetry exporters in the trimmed native program: a scrape and an OTLP push at run time.</summary>
public sealed partial class NativeAotTests
{
    [Fact]
    public async Task The_native_bridge_serves_prometheus_metrics_and_pushes_otlp()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var collector = FakeCollector.Start();
        var folder = await MqttCommandTests.BridgeFolderAsync(broker);
        var listen = $"127.0.0.1:{PrometheusExportTests.FreePort()}";
        var otlpBase = collector.MetricsUrl.GetLeftPart(UriPartial.Authority);
        await File.AppendAllTextAsync(Path.Combine(folder, "seplos.ini"), $"[metrics]\nlisten = {listen}\notlp_endpoint = {otlpBase}\notlp_interval_seconds = 1\n");
        await using var bridge = ProgramProcess.Start(Native.StartInfo(["mqtt"], folder));

        var push = await collector.Posts.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("/v1/metrics", push.Path);
        Assert.True(push.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes("seplos_pack_voltage_volts")) >= 0, "no pack voltage in the OTLP push");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        // The first poll may not have answered yet: scrape until the pack's voltage is there (deadline, not a sleep).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var samples = PrometheusExportTests.Parse(await http.GetStringAsync($"http://{listen}/metrics")).Samples;
        while (!samples.Keys.Any(IsPackVoltage) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            samples = PrometheusExportTests.Parse(await http.GetStringAsync($"http://{listen}/metrics")).Samples;
        }
        var voltage = samples.Single(s => IsPackVoltage(s.Key));
        Assert.InRange(voltage.Value, 40, 60);
        Assert.Contains(samples.Keys, k => k.StartsWith("seplos_bus_requests_total{address=\"0\",result=\"timeout\"", StringComparison.Ordinal));

        var result = await bridge.StopAsync(TimeSpan.FromSeconds(20));
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"metrics for Prometheus on http://{listen}/metrics", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("OTLP push", result.Error, StringComparison.Ordinal);
    }

    private static bool IsPackVoltage(string sample) => sample.StartsWith("seplos_pack_voltage_volts{address=\"0\"", StringComparison.Ordinal);
}
