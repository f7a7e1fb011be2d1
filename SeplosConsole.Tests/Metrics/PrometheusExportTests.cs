using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using SeplosConsole.Metrics;
using SeplosConsole.Services;
using SeplosConsole.Tests.Mqtt;

namespace SeplosConsole.Tests.Metrics;

/// <summary>The OpenTelemetry Prometheus endpoint scraped over HTTP and parsed line by line.</summary>
public sealed partial class PrometheusExportTests
{
    /// <summary>A sample line of the text exposition format: name, optional labels, a number (no time stamp).</summary>
    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>-?[0-9.eE+-]+|NaN)$")]
    private static partial Regex Sample();

    [Fact]
    public async Task Scraping_metrics_gives_prometheus_names_labels_and_the_packs_values()
    {
        var feed = new FakePackFeed(TestPacks.Status(0), TestPacks.Status(1));
        using var meters = new PackMeters(feed);
        var listen = new IPEndPoint(IPAddress.Loopback, FreePort());
        var log = new List<string>();
        using var export = MetricsExport.Start(new MetricsExportOptions(listen, null, TimeSpan.FromSeconds(30)), (_, line) => log.Add(line));
        Assert.Equal($"http://{listen}/metrics", export.PrometheusUrl);
        Assert.Contains($"metrics for Prometheus on http://{listen}/metrics", log);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(export.PrometheusUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var (samples, types) = Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(52.8, samples[$"seplos_pack_voltage_volts{{address=\"0\",serial=\"{TestPacks.Serial}\"}}"]);
        Assert.Equal(3.3, samples[$"seplos_cell_voltage_volts{{address=\"1\",cell=\"3\",serial=\"{TestPacks.Serial}\"}}"]);
        // TestPacks' counters: 100 requests, 98 replies, 2 time-outs.
        Assert.Equal(2, samples[$"seplos_bus_requests_total{{address=\"0\",result=\"timeout\",serial=\"{TestPacks.Serial}\"}}"]);
        Assert.Equal(98, samples[$"seplos_bus_requests_total{{address=\"0\",result=\"ok\",serial=\"{TestPacks.Serial}\"}}"]);
        Assert.Equal(16, samples.Keys.Count(k => k.StartsWith("seplos_cell_voltage_volts{address=\"0\"", StringComparison.Ordinal)));
        Assert.Equal("counter", types["seplos_bus_requests_total"]);
        Assert.Equal("gauge", types["seplos_pack_voltage_volts"]);
        // Only our names: no unit suffix added twice, no second _total, no target_info, no otel_scope_* labels.
        Assert.All(types.Keys, name => Assert.StartsWith("seplos_", name, StringComparison.Ordinal));
        Assert.DoesNotContain(samples.Keys, key => key.Contains("otel_scope", StringComparison.Ordinal) || key.Contains("_total_total", StringComparison.Ordinal) || key.Contains("volts_volts", StringComparison.Ordinal));

        // A new reading is in the next scrape: nothing is cached between scrapes.
        feed.Update(TestPacks.Status(0, TestPacks.Snapshot(0, new Dictionary<string, double> { ["pack_voltage"] = 53.1 })));
        Assert.Equal(53.1, Parse(await http.GetStringAsync(export.PrometheusUrl)).Samples[$"seplos_pack_voltage_volts{{address=\"0\",serial=\"{TestPacks.Serial}\"}}"]);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://{listen}/")).StatusCode);
    }

    [Fact]
    public async Task Every_fitted_temperature_sensor_of_the_map_is_a_sample_and_none_past_ntc_count()
    {
        // Sensors 5–8 are fitted on some packs only (ntc_count): the map's keys, not a second count.
        var feed = new FakePackFeed(
            TestPacks.Status(0, TestPacks.Snapshot(0, new Dictionary<string, double> { ["ntc_count"] = 8, ["cell_temp_8"] = 31.0 })),
            TestPacks.Status(1, TestPacks.Snapshot(1, new Dictionary<string, double> { ["ntc_count"] = 4 })));
        using var meters = new PackMeters(feed);
        using var export = MetricsExport.Start(new MetricsExportOptions(new IPEndPoint(IPAddress.Loopback, FreePort()), null, TimeSpan.FromSeconds(30)), (_, _) => { });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var (samples, _) = Parse(await http.GetStringAsync(export.PrometheusUrl));

        Assert.Equal(8, samples.Keys.Count(k => k.StartsWith("seplos_cell_temperature_celsius{address=\"0\"", StringComparison.Ordinal)));
        Assert.Equal(31.0, samples[$"seplos_cell_temperature_celsius{{address=\"0\",cell=\"8\",serial=\"{TestPacks.Serial}\"}}"]);
        Assert.Equal(4, samples.Keys.Count(k => k.StartsWith("seplos_cell_temperature_celsius{address=\"1\"", StringComparison.Ordinal)));
        Assert.Equal(16, samples.Keys.Count(k => k.StartsWith("seplos_cell_voltage_volts{address=\"1\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_scraper_asking_for_openmetrics_gets_the_same_sample_names()
    {
        // What a Prometheus server sends by default: OpenMetrics first, the classic format as a fallback.
        var feed = new FakePackFeed(TestPacks.Status(0));
        using var meters = new PackMeters(feed);
        using var export = MetricsExport.Start(new MetricsExportOptions(new IPEndPoint(IPAddress.Loopback, FreePort()), null, TimeSpan.FromSeconds(30)), (_, _) => { });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, export.PrometheusUrl);
        request.Headers.TryAddWithoutValidation("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("application/openmetrics-text", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        // OpenMetrics names the counter family without _total and its samples with it: Prometheus stores seplos_bus_requests_total.
        Assert.Contains("# TYPE seplos_bus_requests counter\n", text, StringComparison.Ordinal);
        Assert.Contains($"seplos_bus_requests_total{{address=\"0\",result=\"timeout\",serial=\"{TestPacks.Serial}\"}} 2\n", text, StringComparison.Ordinal);
        Assert.Contains($"seplos_pack_voltage_volts{{address=\"0\",serial=\"{TestPacks.Serial}\"}} 52.8\n", text, StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listening_on_0_0_0_0_serves_every_address_of_the_machine()
    {
        var feed = new FakePackFeed(TestPacks.Status(0));
        using var meters = new PackMeters(feed);
        var port = FreePort();
        using var export = MetricsExport.Start(new MetricsExportOptions(new IPEndPoint(IPAddress.Any, port), null, TimeSpan.FromSeconds(30)), (_, _) => { });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");

        Assert.Equal(52.8, Parse(text).Samples[$"seplos_pack_voltage_volts{{address=\"0\",serial=\"{TestPacks.Serial}\"}}"]);
    }

    [Fact]
    public void A_port_in_use_fails_at_start_with_the_listeners_reason()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var listen = (IPEndPoint)taken.LocalEndpoint;

        var ex = Assert.Throws<HttpListenerException>(() => MetricsExport.Start(new MetricsExportOptions(listen, null, TimeSpan.FromSeconds(30)), (_, _) => { }));
        Assert.Contains("in use", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The exposition text as samples (name{sorted labels} → value) and TYPE lines; fails on a line that is neither.</summary>
    internal static (Dictionary<string, double> Samples, Dictionary<string, string> Types) Parse(string exposition)
    {
        var samples = new Dictionary<string, double>();
        var types = new Dictionary<string, string>();
        foreach (var line in exposition.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
                continue;
            }
            if (line.StartsWith('#'))
            {
                continue;
            }
            var match = Sample().Match(line);
            Assert.True(match.Success, $"not an exposition line: {line}");
            // Label order carries no meaning in the format (the exporter sorts them): compare them sorted.
            var labels = string.Join(',', match.Groups["labels"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
            samples[$"{match.Groups["name"].Value}{{{labels}}}"] = double.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        return (samples, types);
    }

    internal static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
