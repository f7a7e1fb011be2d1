using System.Net;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using SeplosConsole.Hosting;
using SeplosConsole.Services;

namespace SeplosConsole.Metrics;

/// <summary>Where the instruments of <see cref="PackMeters"/> go: a Prometheus endpoint, an OTLP collector, or both.</summary>
/// <param name="Listen">Address of <c>GET /metrics</c>; null for none.</param>
/// <param name="OtlpEndpoint">Full URL the OTLP metrics are POSTed to (…/v1/metrics); null for none.</param>
/// <param name="OtlpInterval">Time between two pushes.</param>
public sealed record MetricsExportOptions(IPEndPoint? Listen, Uri? OtlpEndpoint, TimeSpan OtlpInterval);

/// <summary>
/// The OpenTelemetry SDK reading the meter <see cref="PackMeters.MeterName"/> for its exporters:
/// the Prometheus text format on <c>http://listen/metrics</c> (OpenTelemetry.Exporter.Prometheus.HttpListener)
/// and OTLP http/protobuf pushed every interval (OpenTelemetry.Exporter.OpenTelemetryProtocol). The
/// instrument names are already Prometheus names (PackMeters): with no unit set, the exporter adds
/// no unit suffix, and it does not add a second <c>_total</c>. Thread-safe: the SDK collects on its
/// own threads; dispose stops both (a last push is attempted).
/// </summary>
public sealed class MetricsExport : IDisposable
{
    /// <summary>The OTLP exporter's own default; a push that takes longer has failed.</summary>
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(10);

    private readonly MeterProvider _provider;

    private MetricsExport(MeterProvider provider, string? prometheusUrl)
    {
        _provider = provider;
        PrometheusUrl = prometheusUrl;
    }

    /// <summary>The scrape URL, or null without <see cref="MetricsExportOptions.Listen"/>.</summary>
    public string? PrometheusUrl { get; }

    /// <summary>Starts the exporters and logs where they are.</summary>
    /// <exception cref="HttpListenerException">The listen address is in use or not this machine's.</exception>
    public static MetricsExport Start(MetricsExportOptions options, Action<BusEventLevel, string> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var builder = Sdk.CreateMeterProviderBuilder()
            // service.name/version for the collector; no telemetry.sdk.* or host detectors (nothing a battery dashboard needs).
            .ConfigureResource(resource => resource.Clear().AddService("seplos", serviceVersion: BuildInfo.Current.Version, autoGenerateServiceInstanceId: false))
            .AddMeter(PackMeters.MeterName);
        string? url = null;
        if (options.Listen is { } listen)
        {
            url = $"http://{listen}/metrics";
            // HttpListener refuses 0.0.0.0 or [::] as a host ("The request is not supported"):
            // its way to say "every address" is +.
            var prefix = listen.Address.Equals(IPAddress.Any) || listen.Address.Equals(IPAddress.IPv6Any)
                ? $"http://+:{listen.Port}/metrics/"
                : url + "/";
            builder.AddPrometheusHttpListener(prometheus =>
            {
                // Without these every sample carries otel_scope_name="SeplosConsole" and a
                // target_info series appears: the names and labels docs/metrics.md promises do not.
                prometheus.ScopeInfoEnabled = false;
                prometheus.TargetInfoEnabled = false;
                // Each scrape reads the poller's latest snapshots (the default caches 300 ms).
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                // The exporter's own prefix is http://{Host}:{Port}/metrics/ with a host name;
                // bind exactly the address the user gave instead (an IP, or [v6]). Other paths: 404.
                prometheus.ConfigureHttpListener = (_, http) =>
                {
                    http.Prefixes.Clear();
                    http.Prefixes.Add(prefix);
                };
            });
        }
        if (options.OtlpEndpoint is { } endpoint)
        {
            builder.AddOtlpExporter((otlp, reader) =>
            {
                otlp.Endpoint = endpoint;
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
                otlp.TimeoutMilliseconds = (int)PushTimeout.TotalMilliseconds;
                // Our handler under the exporter's client: it sees each push's outcome, which the
                // exporter itself reports only to an EventSource (off in the native program).
                otlp.HttpClientFactory = () => new HttpClient(new OtlpPushLog(endpoint, log, TimeProvider.System) { InnerHandler = new SocketsHttpHandler() })
                {
                    Timeout = PushTimeout,
                };
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.OtlpInterval.TotalMilliseconds;
                reader.PeriodicExportingMetricReaderOptions.ExportTimeoutMilliseconds = (int)PushTimeout.TotalMilliseconds;
            });
        }
        MeterProvider provider;
        try
        {
            provider = builder.Build();
        }
        catch (InvalidOperationException ex) when (ex.InnerException is HttpListenerException listenerFailure)
        {
            throw listenerFailure;
        }
        if (url is not null)
        {
            log(BusEventLevel.Info, $"metrics for Prometheus on {url}");
        }
        if (options.OtlpEndpoint is not null)
        {
            log(BusEventLevel.Info, $"metrics pushed by OTLP to {options.OtlpEndpoint} every {options.OtlpInterval.TotalSeconds:0.#} s");
        }
        return new MetricsExport(provider, url);
    }

    /// <summary>How long stopping waits for the last OTLP push: Ctrl+C or systemd's stop is not held up by a collector that does not answer.</summary>
    private const int LastPushWaitMilliseconds = 2000;

    public void Dispose()
    {
        _provider.Shutdown(LastPushWaitMilliseconds);
        _provider.Dispose();
    }
}
