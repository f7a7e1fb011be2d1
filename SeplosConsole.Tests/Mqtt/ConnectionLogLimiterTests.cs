using SeplosConsole.Mqtt;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>The connection loop's log lines on a clock the test drives: once per kind of trouble, then every ten minutes.</summary>
public sealed class ConnectionLogLimiterTests
{
    private static readonly MqttOptions Options = new() { Server = "broker.lan", ClientId = "seplos-test" };
    private static readonly long TenMinutes = (long)ConnectionLogLimiter.RepeatEvery.TotalMilliseconds;

    [Fact]
    public void The_same_failure_is_logged_once_then_again_after_ten_minutes_with_a_count()
    {
        var limiter = new ConnectionLogLimiter(Options, TimeSpan.FromSeconds(60));
        Assert.NotNull(limiter.Failed("connection refused", 0));
        Assert.Null(limiter.Failed("connection refused", 1_000));
        Assert.Null(limiter.Failed("connection refused", TenMinutes - 1));
        var again = limiter.Failed("connection refused", TenMinutes);
        Assert.Contains("still failing, 4 attempts", again!.Value.Line, StringComparison.Ordinal);
        // Another kind of failure is news at once.
        Assert.NotNull(limiter.Failed("not authorised", TenMinutes + 1));
        Assert.Contains("after 5 failed attempts", limiter.Connected(TenMinutes + 2)!.Value.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_sessions_that_keep_dropping_are_counted_not_logged_each_time()
    {
        var limiter = new ConnectionLogLimiter(Options, TimeSpan.FromSeconds(60));
        Assert.NotNull(limiter.Connected(0));
        Assert.NotNull(limiter.Lost("closed by the broker", TimeSpan.FromSeconds(1), 1_000));
        // Dropped again at once: that loss is not news, nor is the reconnect after it.
        Assert.NotNull(limiter.Connected(2_000));
        Assert.Null(limiter.Lost("a publish failed", TimeSpan.FromSeconds(1), 3_000));
        Assert.Null(limiter.Connected(4_000));
        var summary = limiter.Lost("closed by the broker", TimeSpan.FromSeconds(1), 1_000 + TenMinutes);
        Assert.Contains("dropped 2 times in 10 min", summary!.Value.Line, StringComparison.Ordinal);
        // A session that held is always news when it ends.
        Assert.NotNull(limiter.Lost("network down", TimeSpan.FromMinutes(5), 2_000 + TenMinutes));
    }
}
