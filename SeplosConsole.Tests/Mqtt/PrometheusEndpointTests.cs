using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using SeplosConsole.Metrics;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>The Prometheus endpoint scraped over HTTP and parsed line by line.</summary>
public sealed partial class PrometheusEndpointTests
{
    /// <summary>A sample line of the text exposition format: name, optional labels, a number.</summary>
    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>-?[0-9.eE+-]+|NaN)$")]
    private static partial Regex Sample();

    [Fact]
    public async Task Scraping_metrics_gives_prometheus_names_labels_and_the_packs_values()
    {
        var feed = new FakePackFeed(TestPacks.Status(0), TestPacks.Status(1));
        using var meters = new PackMeters(feed);
        var listen = $"127.0.0.1:{FreePort()}";
        await using var endpoint = new PrometheusEndpoint(listen, (_, _) => { });
        using var stop = new CancellationTokenSource();
        endpoint.Start(stop.Token);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync($"http://{listen}/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var samples = new Dictionary<string, double>();
        var types = new Dictionary<string, string>();
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
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
            samples[$"{match.Groups["name"].Value}{{{match.Groups["labels"].Value}}}"] = double.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(52.8, samples[$"seplos_pack_voltage_volts{{address=\"0\",serial=\"{TestPacks.Serial}\"}}"]);
        Assert.Equal(3.3, samples[$"seplos_cell_voltage_volts{{address=\"1\",serial=\"{TestPacks.Serial}\",cell=\"3\"}}"]);
        // TestPacks' counters: 100 requests, 98 replies, 2 time-outs.
        Assert.Equal(2, samples[$"seplos_bus_requests_total{{address=\"0\",serial=\"{TestPacks.Serial}\",result=\"timeout\"}}"]);
        Assert.Equal(98, samples[$"seplos_bus_requests_total{{address=\"0\",serial=\"{TestPacks.Serial}\",result=\"ok\"}}"]);
        Assert.Equal(16, samples.Keys.Count(k => k.StartsWith("seplos_cell_voltage_volts{address=\"0\"", StringComparison.Ordinal)));
        Assert.Equal("counter", types["seplos_bus_requests_total"]);
        Assert.Equal("gauge", types["seplos_pack_voltage_volts"]);

        // A new reading is in the next scrape: nothing is cached between scrapes.
        feed.Update(TestPacks.Status(0, TestPacks.Snapshot(0, new Dictionary<string, double> { ["pack_voltage"] = 53.1 })));
        Assert.Contains($"seplos_pack_voltage_volts{{address=\"0\",serial=\"{TestPacks.Serial}\"}} 53.1\n", await http.GetStringAsync($"http://{listen}/metrics"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://{listen}/")).StatusCode);
        await stop.CancelAsync();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
