using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Threading.Channels;
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

    /// <summary>An OTLP/HTTP collector on loopback that answers each POST with one status and hands it to the test.</summary>
    private sealed class FakeCollector : IAsyncDisposable
    {
        private readonly HttpListener _http = new();
        private readonly Channel<(string Path, string? ContentType, byte[] Body)> _posts = Channel.CreateUnbounded<(string, string?, byte[])>();
        private readonly Task _serving;

        private readonly HttpStatusCode _answer;

        private FakeCollector(int port, HttpStatusCode answer)
        {
            _answer = answer;
            MetricsUrl = new Uri($"http://127.0.0.1:{port}/v1/metrics");
            _http.Prefixes.Add($"http://127.0.0.1:{port}/");
            _http.Start();
            _serving = Task.Run(ServeAsync);
        }

        public Uri MetricsUrl { get; }

        public ChannelReader<(string Path, string? ContentType, byte[] Body)> Posts => _posts.Reader;

        public static FakeCollector Start(HttpStatusCode answer = HttpStatusCode.OK) => new(PrometheusExportTests.FreePort(), answer);

        private async Task ServeAsync()
        {
            while (_http.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _http.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                context.Response.StatusCode = (int)_answer;
                context.Response.Close();
                _posts.Writer.TryWrite((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
            }
        }

        public async ValueTask DisposeAsync()
        {
            _http.Stop();
            await _serving;
            _http.Close();
        }
    }
}
