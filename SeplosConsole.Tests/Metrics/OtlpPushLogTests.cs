using System.Net;
using Microsoft.Extensions.Time.Testing;
using SeplosConsole.Metrics;
using SeplosConsole.Services;

namespace SeplosConsole.Tests.Metrics;

/// <summary>The rate limit on the OTLP push's log lines, with a collector stub and virtual time.</summary>
public sealed class OtlpPushLogTests
{
    private static readonly Uri Endpoint = new("http://collector:4318/v1/metrics");

    [Fact]
    public async Task The_same_failure_is_logged_once_then_again_after_ten_minutes_with_a_count()
    {
        var time = new FakeTimeProvider();
        var (send, log, _) = Build(time, _ => throw new HttpRequestException("Connection refused (collector:4318)"));

        for (var push = 0; push < 5; push++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(send);
            time.Advance(TimeSpan.FromSeconds(30));
        }
        Assert.Equal([(BusEventLevel.Warning, $"metrics: OTLP push to {Endpoint} failed: Connection refused (collector:4318); the program goes on and tries again each interval")], log);

        time.Advance(OtlpPushLog.RepeatEvery);
        await Assert.ThrowsAsync<HttpRequestException>(send);
        Assert.Equal(2, log.Count);
        Assert.Contains("(still failing: 5 pushes since the last line)", log[1].Line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_different_failure_is_logged_at_once_and_the_first_success_says_pushes_work_again()
    {
        var answer = HttpStatusCode.ServiceUnavailable;
        var (send, log, handler) = Build(new FakeTimeProvider(), _ => new HttpResponseMessage(answer));

        await send();
        await send();
        answer = HttpStatusCode.NotFound;
        await send();
        Assert.Equal(3, handler.Failures);
        answer = HttpStatusCode.OK;
        await send();

        Assert.Equal(
            [
                $"metrics: OTLP push to {Endpoint} failed: the collector answered 503 Service Unavailable; the program goes on and tries again each interval",
                $"metrics: OTLP push to {Endpoint} failed: the collector answered 404 Not Found; the program goes on and tries again each interval",
                $"metrics: OTLP push to {Endpoint} works again (after 3 failed)",
            ],
            log.Select(e => e.Line));
        Assert.Equal(BusEventLevel.Info, log[^1].Level);
        Assert.Equal(0, handler.Failures);
    }

    [Fact]
    public async Task Pushes_that_succeed_log_nothing()
    {
        var (send, log, _) = Build(new FakeTimeProvider(), _ => new HttpResponseMessage(HttpStatusCode.OK));
        await send();
        await send();
        Assert.Empty(log);
    }

    private static (Func<Task> Send, List<(BusEventLevel Level, string Line)> Log, OtlpPushLog Handler) Build(TimeProvider time, Func<HttpRequestMessage, HttpResponseMessage> collector)
    {
        var log = new List<(BusEventLevel, string)>();
        var handler = new OtlpPushLog(Endpoint, (level, line) => log.Add((level, line)), time) { InnerHandler = new Collector(collector) };
        var invoker = new HttpMessageInvoker(handler);
        return (async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint);
            using var response = await invoker.SendAsync(request, CancellationToken.None);
        }, log, handler);
    }

    private sealed class Collector(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(answer(request));
    }
}
