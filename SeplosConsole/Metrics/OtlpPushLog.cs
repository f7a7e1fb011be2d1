using System.Globalization;
using SeplosConsole.Services;

namespace SeplosConsole.Metrics;

/// <summary>
/// The handler under the OTLP exporter's HttpClient: it turns each push's outcome into log lines
/// a person can act on, rate-limited so a collector that is down for a month does not fill the
/// journal: the first failure is one warning, the same failure again only after
/// <see cref="RepeatEvery"/> (with a count), a different failure at once, and the first success
/// after failures one line saying pushes work again. The push itself is not changed or retried
/// here: the next interval pushes again. Thread-safe.
/// </summary>
internal sealed class OtlpPushLog(Uri endpoint, Action<BusEventLevel, string> log, TimeProvider time) : DelegatingHandler
{
    public static readonly TimeSpan RepeatEvery = TimeSpan.FromMinutes(10);

    private readonly Lock _lock = new();
    private string? _lastReasonLogged;
    private long _lastLoggedAt;
    private int _failuresSinceLogged;
    private int _failures;

    /// <summary>Failed pushes since the last success.</summary>
    public int Failures
    {
        get
        {
            lock (_lock)
            {
                return _failures;
            }
        }
    }

    /// <summary>The exporter's path: it pushes with the synchronous HttpClient.Send from its own export thread.</summary>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return Observed(base.Send(request, cancellationToken));
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            Failed(Reason(ex));
            throw;
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return Observed(await base.SendAsync(request, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            Failed(Reason(ex));
            throw;
        }
    }

    /// <summary>HttpClient's time-out arrives here as the cancellation of the token it passed down.</summary>
    private static string Reason(Exception ex) => ex is OperationCanceledException ? "no answer in time" : ex.Message;

    private HttpResponseMessage Observed(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode)
        {
            Succeeded();
        }
        else
        {
            Failed($"the collector answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        return response;
    }

    private void Failed(string reason)
    {
        string? line = null;
        lock (_lock)
        {
            _failures++;
            var now = time.GetTimestamp();
            if (reason != _lastReasonLogged || time.GetElapsedTime(_lastLoggedAt, now) >= RepeatEvery)
            {
                var repeat = reason == _lastReasonLogged
                    ? string.Create(CultureInfo.InvariantCulture, $" (still failing: {_failuresSinceLogged + 1} pushes since the last line)")
                    : "";
                line = $"metrics: OTLP push to {endpoint} failed: {reason}{repeat}; the program goes on and tries again each interval";
                _lastReasonLogged = reason;
                _lastLoggedAt = now;
                _failuresSinceLogged = 0;
            }
            else
            {
                _failuresSinceLogged++;
            }
        }
        if (line is not null)
        {
            log(BusEventLevel.Warning, line);
        }
    }

    private void Succeeded()
    {
        int failed;
        lock (_lock)
        {
            failed = _failures;
            _failures = 0;
            _lastReasonLogged = null;
            _failuresSinceLogged = 0;
        }
        if (failed > 0)
        {
            log(BusEventLevel.Info, $"metrics: OTLP push to {endpoint} works again (after {failed} failed)");
        }
    }
}
