using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;
using SeplosConsole.Services;

namespace SeplosConsole.Metrics;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text exposition format (version 0.0.4) for the
/// instruments of <see cref="PackMeters"/>, on the address of <c>[metrics] listen</c>. Written
/// small rather than with the OpenTelemetry exporter: see docs/metrics.md for why. Each scrape
/// collects the observable instruments once (MeterListener) and renders them.
/// </summary>
public sealed class PrometheusEndpoint : IAsyncDisposable
{
    private readonly HttpListener _http = new();
    private readonly MeterListener _listener = new();
    private readonly Lock _collectLock = new();
    private readonly Action<BusEventLevel, string> _log;
    private List<(Instrument Instrument, double Value, KeyValuePair<string, object?>[] Tags)>? _collecting;
    private Task? _serving;

    /// <param name="listen">host:port, e.g. 127.0.0.1:9464.</param>
    public PrometheusEndpoint(string listen, Action<BusEventLevel, string> log)
    {
        _log = log;
        Url = $"http://{listen}/metrics";
        _http.Prefixes.Add($"http://{listen}/");
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PackMeters.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => _collecting?.Add((i, v, tags.ToArray())));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => _collecting?.Add((i, v, tags.ToArray())));
        _listener.Start();
    }

    public string Url { get; }

    /// <summary>Starts listening; a port in use or a bad address throws <see cref="HttpListenerException"/> here, at start.</summary>
    public void Start(CancellationToken cancellationToken)
    {
        _http.Start();
        _log(BusEventLevel.Info, $"metrics for Prometheus on {Url}");
        _serving = Task.Run(() => ServeAsync(cancellationToken), CancellationToken.None);
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        using var stop = cancellationToken.Register(() => _http.Stop());
        while (!cancellationToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _http.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested || !_http.IsListening)
            {
                return;
            }
            try
            {
                var found = context.Request.Url?.AbsolutePath == "/metrics";
                var body = Encoding.UTF8.GetBytes(found ? Render() : "not found: try /metrics\n");
                context.Response.StatusCode = found ? 200 : 404;
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
                context.Response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
                _log(BusEventLevel.Warning, $"metrics: a scrape failed: {ex.Message}");
            }
        }
    }

    /// <summary>Collects every instrument once and writes the exposition text.</summary>
    public string Render()
    {
        List<(Instrument Instrument, double Value, KeyValuePair<string, object?>[] Tags)> measurements;
        lock (_collectLock)
        {
            _collecting = [];
            _listener.RecordObservableInstruments();
            measurements = _collecting;
            _collecting = null;
        }
        var text = new StringBuilder();
        foreach (var group in measurements.GroupBy(m => m.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var instrument = group.Key;
            text.Append("# HELP ").Append(instrument.Name).Append(' ').Append(instrument.Description ?? "").Append('\n');
            text.Append("# TYPE ").Append(instrument.Name).Append(' ').Append(instrument is ObservableCounter<long> ? "counter" : "gauge").Append('\n');
            foreach (var (_, value, tags) in group)
            {
                text.Append(instrument.Name);
                if (tags.Length > 0)
                {
                    text.Append('{').AppendJoin(',', tags.Select(t => $"{t.Key}=\"{Escape(t.Value?.ToString() ?? "")}\"")).Append('}');
                }
                text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>Label values escape backslash, quote and newline (exposition format).</summary>
    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        if (_http.IsListening)
        {
            _http.Stop();
        }
        if (_serving is not null)
        {
            await _serving.ConfigureAwait(false);
        }
        _http.Close();
        _listener.Dispose();
    }
}
