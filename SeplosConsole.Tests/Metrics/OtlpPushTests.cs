using System.Collections.Concurrent;
using System.Net;
using System.Text;
using SeplosConsole.Metrics;
using SeplosConsole.Services;
using SeplosConsole.Tests.Mqtt;

namespace SeplosConsole.Tests.Metrics;

/// <summary>OTLP http/protobuf pushed to a collector the test runs on loopback, and to collectors that fail.</summary>
public sealed class OtlpPushTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_packs_readings_are_posted_as_otlp_protobuf_to_v1_metrics()
    {
        var feed = new FakePackFeed(TestPacks.Status(0));
        using var meters = new PackMeters(feed);
        await using var collector = FakeCollector.Start();
        var log = new ConcurrentQueue<(BusEventLevel Level, string Line)>();

        using (MetricsExport.Start(new MetricsExportOptions(null, collector.MetricsUrl, TimeSpan.FromMilliseconds(200)), (level, line) => log.Enqueue((level, line))))
        {
            var push = await collector.Posts.ReadAsync().AsTask().WaitAsync(Deadline);

            Assert.Equal("/v1/metrics", push.Path);
            Assert.Equal("application/x-protobuf", push.ContentType);
            // ExportMetricsServiceRequest: field 1 (resource_metrics), length-delimited: tag byte 0x0A.
            Assert.Equal(0x0A, push.Body[0]);
            foreach (var name in new[] { "seplos_pack_voltage_volts", "seplos_cell_voltage_volts", "seplos_bus_requests_total", "address", "serial", TestPacks.Serial, "service.name", "seplos" })
            {
                Assert.True(Contains(push.Body, Encoding.UTF8.GetBytes(name)), $"no '{name}' in the push");
            }
            // NumberDataPoint.as_double is field 4, fixed64 (tag 0x21), little-endian: the pack voltage 52.8 V.
            Assert.True(Contains(push.Body, [0x21, .. BitConverter.GetBytes(52.8)]), "no data point with the pack voltage 52.8");
        }
        Assert.Contains(log, e => e.Line == $"metrics pushed by OTLP to {collector.MetricsUrl} every 0.2 s");
        Assert.DoesNotContain(log, e => e.Level != BusEventLevel.Info);
    }

    [Fact]
    public async Task A_collector_that_refuses_every_push_gets_one_warning_line_and_the_pushes_go_on()
    {
        var feed = new FakePackFeed(TestPacks.Status(0));
        using var meters = new PackMeters(feed);
        await using var collector = FakeCollector.Start(HttpStatusCode.ServiceUnavailable);
        var log = new ConcurrentQueue<(BusEventLevel Level, string Line)>();

        using (MetricsExport.Start(new MetricsExportOptions(null, collector.MetricsUrl, TimeSpan.FromMilliseconds(100)), (level, line) => log.Enqueue((level, line))))
        {
            for (var pushes = 0; pushes < 4; pushes++)
            {
                await collector.Posts.ReadAsync().AsTask().WaitAsync(Deadline);
            }
        }
        var warnings = log.Where(e => e.Level == BusEventLevel.Warning).Select(e => e.Line).ToList();
        Assert.Equal([$"metrics: OTLP push to {collector.MetricsUrl} failed: the collector answered 503 Service Unavailable; the program goes on and tries again each interval"], warnings);
    }

    [Fact]
    public async Task No_collector_at_all_is_one_warning_and_stopping_is_not_held_up()
    {
        var feed = new FakePackFeed(TestPacks.Status(0));
        using var meters = new PackMeters(feed);
        var url = new Uri($"http://127.0.0.1:{PrometheusExportTests.FreePort()}/v1/metrics");
        var warned = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var export = MetricsExport.Start(new MetricsExportOptions(null, url, TimeSpan.FromMilliseconds(100)), (level, line) =>
        {
            if (level == BusEventLevel.Warning)
            {
                warned.TrySetResult(line);
            }
        });
        Assert.Contains("refused", await warned.Task.WaitAsync(Deadline), StringComparison.OrdinalIgnoreCase);
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        export.Dispose();
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopping.Elapsed}");
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
