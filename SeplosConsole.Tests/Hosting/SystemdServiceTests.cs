using Microsoft.Extensions.Time.Testing;
using SeplosConsole.Hosting;
using SeplosConsole.Services;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Hosting;

/// <summary>
/// The service reporter against a real notify socket, on a test clock: READY=1 when the health
/// record says so, WATCHDOG=1 every half interval only while nothing is stalled, STOPPING=1 at the end.
/// </summary>
public sealed class SystemdServiceTests : IAsyncDisposable
{
    /// <summary>WATCHDOG_USEC = 2 s: a ping is due every second.</summary>
    private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    private readonly FakeTimeProvider _time = new();
    private readonly NotifySocket _socket = NotifySocket.AtPath();
    private readonly SystemdNotifier _notifier;
    private readonly ServiceHealth _health;
    private readonly List<string> _log = [];
    private readonly CancellationTokenSource _stop = new();
    private string _status = "MQTT connecting to broker:1883";
    private Task? _running;

    public SystemdServiceTests()
    {
        _notifier = SystemdNotifier.FromEnvironment(name => name switch
        {
            "NOTIFY_SOCKET" => _socket.Address,
            "WATCHDOG_USEC" => ((long)Watchdog.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        })!;
        _health = new ServiceHealth(_time, StallLimit, () => false);
    }

    private void Start()
    {
        var service = new SystemdService(_notifier, _health, () => Volatile.Read(ref _status), (level, line) =>
        {
            lock (_log)
            {
                _log.Add($"{level}: {line}");
            }
        }, _time);
        _running = service.RunAsync(_stop.Token);
    }

    /// <summary>
    /// Moves the test clock a step at a time until <paramref name="done"/>, both loops turning when
    /// <paramref name="healthy"/>. The service only acts when its clock moves on, so each step is a
    /// turn of its loop; the short real pause lets that turn run before the next step.
    /// </summary>
    private async Task AdvanceUntilAsync(Func<bool> done, string what, bool healthy = true)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not {what} within 10 s; received: {string.Join(", ", _socket.Messages)}");
            if (healthy)
            {
                _health.BusTurned();
                _health.BrokerTurned(connected: true);
            }
            _time.Advance(Step);
            await Task.Delay(5);
        }
    }

    private bool Received(string datagram, int from = 0) => _socket.Messages.Skip(from).Contains(datagram);

    private bool Logged(string part)
    {
        lock (_log)
        {
            return _log.Any(l => l.Contains(part, StringComparison.Ordinal));
        }
    }

    private int IndexOf(string datagram) => _socket.Messages.ToList().IndexOf(datagram);

    private int Count(string datagram, int from = 0) => _socket.Messages.Skip(from).Count(m => m == datagram);

    [Fact]
    public async Task Ready_is_sent_once_the_health_record_is_ready_and_pings_follow_every_half_interval()
    {
        Start();
        await _socket.WaitForAsync("STATUS=MQTT connecting to broker:1883");
        Assert.DoesNotContain("READY=1", _socket.Messages);

        await AdvanceUntilAsync(() => Received("READY=1"), "ready");
        var mark = _socket.Mark;
        var start = _time.GetUtcNow();
        await AdvanceUntilAsync(() => _time.GetUtcNow() - start >= TimeSpan.FromSeconds(10), "10 s on");
        Volatile.Write(ref _status, "MQTT connected to broker:1883");
        await AdvanceUntilAsync(() => Received("STATUS=MQTT connected to broker:1883"), "the new status");
        var end = IndexOf("STATUS=MQTT connected to broker:1883");

        // One ping per second of test time, give or take the one in flight.
        Assert.InRange(Count("WATCHDOG=1", mark) - Count("WATCHDOG=1", end), 9, 11);
        Assert.Equal(1, Count("READY=1"));
    }

    [Fact]
    public async Task Pings_stop_while_the_poll_loop_is_stalled_and_resume_when_it_polls_again()
    {
        Start();
        await AdvanceUntilAsync(() => Count("WATCHDOG=1") >= 2, "two pings");

        // The poll loop stops: the clock runs on, nothing turns.
        await AdvanceUntilAsync(() => Logged("no more watchdog pings"), "the stall logged", healthy: false);
        // Every datagram sent before the stall was logged has arrived by now (sent synchronously).
        var stalledFrom = _socket.Mark;
        var stalledAt = _time.GetUtcNow();
        await AdvanceUntilAsync(() => _time.GetUtcNow() - stalledAt >= TimeSpan.FromSeconds(10), "10 s on", healthy: false);
        Volatile.Write(ref _status, "marker: still stalled");
        await AdvanceUntilAsync(() => Received("STATUS=marker: still stalled", stalledFrom), "the marker", healthy: false);
        var marker = IndexOf("STATUS=marker: still stalled");
        await AdvanceUntilAsync(() => Logged("going round again") && Count("WATCHDOG=1", marker) > 0, "pings again");

        Assert.Equal(0, Count("WATCHDOG=1", stalledFrom) - Count("WATCHDOG=1", marker));
        Assert.True(Logged("Error: watchdog: the poll loop has not finished a poll for"), string.Join("\n", _log));
    }

    [Fact]
    public async Task Stopping_is_the_last_thing_sent_when_the_service_is_asked_to_stop()
    {
        Start();
        await AdvanceUntilAsync(() => Received("READY=1"), "ready");

        await _stop.CancelAsync();
        await _running!.WaitAsync(TimeSpan.FromSeconds(10));
        await _socket.WaitForAsync("STOPPING=1");

        Assert.Equal("STOPPING=1", _socket.Messages[^1]);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(10));
        }
        _notifier.Dispose();
        await _socket.DisposeAsync();
        _stop.Dispose();
    }
}
