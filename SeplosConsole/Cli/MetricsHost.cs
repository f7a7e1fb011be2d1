using System.Net;
using Microsoft.Extensions.Configuration;
using SeplosConsole.Metrics;
using SeplosConsole.Services;

namespace SeplosConsole.Cli;

/// <summary><c>[metrics] listen = 127.0.0.1:9464</c>: the feed's instruments and their Prometheus endpoint, while a command runs.</summary>
public sealed class MetricsHost : IAsyncDisposable
{
    private readonly PackMeters? _meters;
    private readonly PrometheusEndpoint? _endpoint;

    private MetricsHost(PackMeters? meters, PrometheusEndpoint? endpoint)
    {
        _meters = meters;
        _endpoint = endpoint;
    }

    /// <summary>Serves nothing when <c>[metrics] listen</c> is not set. A bad address or a port in use is a <see cref="CliException"/>.</summary>
    public static MetricsHost Start(IConfiguration configuration, IPackFeed feed, Action<BusEventLevel, string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.GetSection("metrics")["listen"]?.Trim() is not { Length: > 0 } listen)
        {
            return new MetricsHost(null, null);
        }
        if (!IPEndPoint.TryParse(listen, out var endpoint) || endpoint.Port == 0)
        {
            throw new CliException($"[metrics] listen = {listen}: expected address:port, e.g. 127.0.0.1:9464");
        }
        var meters = new PackMeters(feed);
        var server = new PrometheusEndpoint(listen, log);
        try
        {
            server.Start(cancellationToken);
        }
        catch (HttpListenerException ex)
        {
            meters.Dispose();
            throw new CliException($"[metrics] listen = {listen}: cannot listen there ({ex.Message})");
        }
        return new MetricsHost(meters, server);
    }

    public async ValueTask DisposeAsync()
    {
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync().ConfigureAwait(false);
        }
        _meters?.Dispose();
    }
}
