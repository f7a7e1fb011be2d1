using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using SeplosConsole.Hosting;
using SeplosConsole.Metrics;
using SeplosConsole.Services;

namespace SeplosConsole.Cli;

/// <summary>
/// The <c>[metrics]</c> section while a command runs: the feed's instruments, served for Prometheus
/// (<c>listen = 127.0.0.1:9464</c>) and/or pushed to an OTLP collector (<c>otlp_endpoint = http://collector:4318</c>).
/// </summary>
public sealed class MetricsHost : IAsyncDisposable
{
    /// <summary>Time between two OTLP pushes unless <c>otlp_interval_seconds</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultOtlpInterval = TimeSpan.FromSeconds(30);

    private readonly PackMeters? _meters;
    private readonly MetricsExport? _export;

    private MetricsHost(PackMeters? meters, MetricsExport? export)
    {
        _meters = meters;
        _export = export;
    }

    /// <summary>Exports nothing when neither key is set. A bad value or a port in use is a <see cref="CliException"/>.</summary>
    public static MetricsHost Start(IConfiguration configuration, IPackFeed feed, Action<BusEventLevel, string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = ReadOptions(configuration.GetSection("metrics"));
        if (options is null)
        {
            return new MetricsHost(null, null);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var meters = new PackMeters(feed);
        try
        {
            return new MetricsHost(meters, MetricsExport.Start(options, log));
        }
        catch (HttpListenerException ex)
        {
            meters.Dispose();
            throw new CliException($"[metrics] listen = {options.Listen}: cannot listen there ({ex.Message})");
        }
    }

    /// <summary>The section as options; null when it asks for nothing. A bad value is a <see cref="CliException"/>.</summary>
    public static MetricsExportOptions? ReadOptions(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        IPEndPoint? listen = null;
        if (section["listen"]?.Trim() is { Length: > 0 } listenText)
        {
            if (!IPEndPoint.TryParse(listenText, out listen) || listen.Port == 0)
            {
                throw new CliException($"[metrics] listen = {listenText}: expected address:port, e.g. 127.0.0.1:9464");
            }
        }
        Uri? otlp = null;
        if (section["otlp_endpoint"]?.Trim() is { Length: > 0 } otlpText)
        {
            if (!Uri.TryCreate(otlpText, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
            {
                throw new CliException($"[metrics] otlp_endpoint = {otlpText}: expected the collector's OTLP/HTTP address, e.g. http://collector:4318");
            }
            if (baseUri.Scheme == Uri.UriSchemeHttps && !OpenSsl.IsAvailable())
            {
                throw new CliException(OpenSsl.MissingLine($"[metrics] otlp_endpoint = {otlpText}"));
            }
            otlp = MetricsPath(baseUri);
        }
        var interval = DefaultOtlpInterval;
        if (section["otlp_interval_seconds"]?.Trim() is { Length: > 0 } intervalText)
        {
            if (!int.TryParse(intervalText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > 3600)
            {
                throw new CliException($"[metrics] otlp_interval_seconds = {intervalText}: expected whole seconds from 1 to 3600");
            }
            interval = TimeSpan.FromSeconds(seconds);
        }
        return listen is null && otlp is null ? null : new MetricsExportOptions(listen, otlp, interval);
    }

    /// <summary>
    /// The collector's base address as OTEL_EXPORTER_OTLP_ENDPOINT means it: metrics go to
    /// /v1/metrics under it (OTLP/HTTP specification). A URL that already ends so is kept.
    /// </summary>
    private static Uri MetricsPath(Uri baseUri)
        => baseUri.AbsolutePath.EndsWith("/v1/metrics", StringComparison.Ordinal)
            ? baseUri
            : new Uri(baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/v1/metrics");

    public ValueTask DisposeAsync()
    {
        _export?.Dispose();
        _meters?.Dispose();
        return ValueTask.CompletedTask;
    }
}
