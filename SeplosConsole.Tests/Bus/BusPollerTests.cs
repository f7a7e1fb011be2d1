using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Simulation;
using SeplosConsole.Transport;

namespace SeplosConsole.Tests.Bus;

/// <summary>The poller with the in-process simulator and a TCP gateway: interval, fairness with writes, gateway drops.</summary>
public sealed class BusPollerTests : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running).WaitAsync(FeedWaits.Timeout);
        _stop.Dispose();
    }

    private static RtuClient Simulated(byte[] addresses, out BmsSimulator simulator)
    {
        var transport = InProcessSimulatorTransport.Create(new SimulatorOptions { Addresses = addresses, Turnaround = TimeSpan.FromMilliseconds(1) });
        simulator = transport.Simulator;
        return new RtuClient(transport, new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(300), Retries = 1 });
    }

    private BusPoller Start(RtuClient rtu, PollerOptions options, TimeProvider? clock = null)
    {
        var poller = new BusPoller(new SeplosClient(rtu), options, clock);
        _running.Add(poller.RunAsync(_stop.Token));
        return poller;
    }

    [Fact]
    public async Task Write_queued_during_a_poll_goes_next_on_the_line_before_the_next_block()
    {
        var rtu = Simulated([0, 1], out _);
        var onLine = new List<RtuRequest>();
        Task<ModbusExceptionCode?>? write = null;
        var field = SeplosMap.FindField("cell_high_voltage_alarm")!;
        var poller = new BusPoller(new SeplosClient(rtu), new PollerOptions { Addresses = [0, 1], Interval = TimeSpan.Zero, ReadSlowBlocks = false });
        rtu.ReplyReceived += (_, trip) =>
        {
            // On the bus task, right after a PIA of pack 1: the front end asks for a write now.
            onLine.Add(trip.Request);
            if (write is null && trip.Request.Address == 1 && trip.Request.Start == 0x1000)
            {
                write = poller.RunOnBusAsync((client, ct) => client.WriteRawAsync(1, field, 3450, ct), CancellationToken.None);
            }
        };
        _running.Add(poller.RunAsync(_stop.Token));
        await FeedWaits.AllOnlineAsync(poller);
        while (write is null)
        {
            await FeedWaits.UntilAsync(poller, _ => write is not null, "the write to be queued");
        }

        Assert.Null(await write.WaitAsync(FeedWaits.Timeout));
        var at = onLine.FindIndex(r => r.Function == ModbusFunction.WriteMultipleRegisters);
        Assert.Equal((byte)1, onLine[at - 1].Address);
        Assert.Equal(0x1000, onLine[at - 1].Start);
        // The poll of pack 1 carries on with PIB after the write, not a sweep later.
        Assert.Equal(0x1100, onLine[at + 1].Start);
        Assert.Equal((byte)1, onLine[at + 1].Address);
    }

    [Fact]
    public async Task Packs_are_polled_once_per_interval_of_the_fake_clock()
    {
        var clock = new TimerWatchingClock(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var rtu = Simulated([0, 1], out _);
        var polls = new List<(byte Address, DateTimeOffset At)>();
        var poller = new BusPoller(new SeplosClient(rtu), new PollerOptions { Addresses = [0, 1], Interval = TimeSpan.FromSeconds(1), ReadSlowBlocks = false }, clock);
        poller.Polled += (_, timing) =>
        {
            lock (polls)
            {
                polls.Add((timing.Address, clock.GetUtcNow()));
            }
        };
        _running.Add(poller.RunAsync(_stop.Token));

        for (var second = 1; second <= 3; second++)
        {
            // The poller has polled what was due and now waits on the clock: move it.
            await clock.TimersCreated(second).WaitAsync(FeedWaits.Timeout);
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        await clock.TimersCreated(4).WaitAsync(FeedWaits.Timeout);

        lock (polls)
        {
            // Two packs at 0, 1, 2 and 3 s of the fake clock: nothing in between, nothing more.
            Assert.Equal(8, polls.Count);
            Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3], polls.Select(p => (p.At - clock.Start).TotalSeconds));
        }
        Assert.All(poller.AllStatus, s => Assert.Equal(PackLinkState.Online, s.State));
    }

    [Fact]
    public async Task A_single_busy_reply_is_asked_again_after_the_busy_delay_on_the_pollers_clock_and_the_poll_succeeds()
    {
        var (clock, simulator, poller, asked) = StartBusyScenario();
        await clock.TimersCreated(1).WaitAsync(FeedWaits.Timeout);
        var statuses = new ConcurrentQueue<PackStatus>();
        var polls = new ConcurrentQueue<PollTiming>();
        poller.PackUpdated += (_, status) => statuses.Enqueue(status);
        poller.Polled += (_, timing) => polls.Enqueue(timing);
        simulator.Faults.InjectNext(SimulatedFault.ExceptionReply, 1, address: 0);

        clock.Advance(TimeSpan.FromSeconds(1));
        // The poller now waits out the busy delay on its clock: nothing reported, PIA not asked again yet.
        await clock.TimersCreated(2).WaitAsync(FeedWaits.Timeout);
        Assert.Empty(statuses);
        Assert.Equal(2, asked.Count(a => a.Start == 0x1000));
        clock.Advance(BusyRetryDelay);
        await clock.TimersCreated(3).WaitAsync(FeedWaits.Timeout);

        var poll = clock.Start + TimeSpan.FromSeconds(1);
        Assert.Equal([new BlockAsked(0x1000, poll, Busy: true), new BlockAsked(0x1000, poll + BusyRetryDelay, Busy: false)], asked.Where(a => a.At >= poll).Take(2));
        var status = Assert.Single(statuses);
        Assert.Equal(PackLinkState.Online, status.State);
        Assert.Equal(poll + BusyRetryDelay, status.LastSuccess);
        Assert.True(Assert.Single(polls).Answered);
    }

    [Fact]
    public async Task A_block_still_busy_when_asked_again_fails_the_poll()
    {
        var (clock, simulator, poller, _) = StartBusyScenario();
        await clock.TimersCreated(1).WaitAsync(FeedWaits.Timeout);
        var stale = FeedWaits.StateAsync(poller, 0, PackLinkState.Stale);
        simulator.Faults.InjectNext(SimulatedFault.ExceptionReply, 2, address: 0);

        clock.Advance(TimeSpan.FromSeconds(1));
        await clock.TimersCreated(2).WaitAsync(FeedWaits.Timeout);
        clock.Advance(BusyRetryDelay);
        await stale;

        Assert.Contains("device busy", poller.Status(0).LastError, StringComparison.Ordinal);
        Assert.Equal(2, poller.Status(0).Counters.Exceptions);
    }

    [Fact]
    public async Task A_parameter_block_still_busy_fails_that_poll_and_is_read_on_the_next_not_dropped()
    {
        var rtu = Simulated([0], out var simulator);
        simulator.Faults.ExceptionCode = ModbusExceptionCode.DeviceBusy;
        var armed = 0;
        rtu.ReplyReceived += (_, trip) =>
        {
            // Right after the first PIC: SPA, the next block, is busy when asked and when asked again.
            if (trip.Request.Start == SeplosMap.Block(BlockId.Pic).Start && Interlocked.Exchange(ref armed, 1) == 0)
            {
                simulator.Faults.InjectNext(SimulatedFault.ExceptionReply, 2, address: 0);
            }
        };
        var poller = new BusPoller(new SeplosClient(rtu), new PollerOptions { Addresses = [0], Interval = TimeSpan.FromMilliseconds(50), BusyRetryDelay = TimeSpan.FromMilliseconds(10) });
        var stale = FeedWaits.StateAsync(poller, 0, PackLinkState.Stale);
        var parametersRead = FeedWaits.UntilAsync(poller, all => all[0].Snapshot.Value("soc_low_alarm") is not null, "SPA to be read");
        _running.Add(poller.RunAsync(_stop.Token));

        await stale;
        await parametersRead;
        Assert.Equal(2, simulator.Faults.Injected(SimulatedFault.ExceptionReply));
    }

    private static readonly TimeSpan BusyRetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>A request answered on the line: its start register, the fake clock's time, and whether the pack said busy.</summary>
    private sealed record BlockAsked(ushort Start, DateTimeOffset At, bool Busy);

    /// <summary>Pack 0 polled every second of a fake clock; its simulator answers "busy" when told to.</summary>
    private (TimerWatchingClock Clock, BmsSimulator Simulator, BusPoller Poller, ConcurrentQueue<BlockAsked> Asked) StartBusyScenario()
    {
        var clock = new TimerWatchingClock(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var rtu = Simulated([0], out var simulator);
        simulator.Faults.ExceptionCode = ModbusExceptionCode.DeviceBusy;
        var asked = new ConcurrentQueue<BlockAsked>();
        rtu.ReplyReceived += (_, trip) => asked.Enqueue(new BlockAsked(trip.Request.Start, clock.GetUtcNow(), trip.IsException));
        var poller = Start(rtu, new PollerOptions { Addresses = [0], Interval = TimeSpan.FromSeconds(1), ReadSlowBlocks = false, BusyRetryDelay = BusyRetryDelay }, clock);
        return (clock, simulator, poller, asked);
    }

    /// <summary>A fake clock that tells when someone starts waiting on it.</summary>
    private sealed class TimerWatchingClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly Lock _gate = new();
        private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
        private int _created;

        /// <summary>Completes once <paramref name="count"/> timers have been created in all.</summary>
        public Task TimersCreated(int count)
        {
            lock (_gate)
            {
                if (_created >= count)
                {
                    return Task.CompletedTask;
                }
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, done));
                return done.Task;
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            lock (_gate)
            {
                _created++;
                foreach (var waiter in _waiters.Where(w => w.Count <= _created).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Done.TrySetResult();
                }
            }
            return timer;
        }
    }

    [Fact]
    public async Task Gateway_that_drops_the_connection_is_reconnected_with_backoff()
    {
        await using var gateway = new SimulatorGateway(new SimulatorOptions { Addresses = [0, 1] });
        var transport = new TcpGatewayTransport($"tcp://127.0.0.1:{gateway.Port}", "127.0.0.1", gateway.Port, TimeSpan.FromSeconds(2));
        var rtu = new RtuClient(transport, new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(300), Retries = 1 });
        var poller = Start(rtu, new PollerOptions { Addresses = [0, 1], Interval = TimeSpan.FromMilliseconds(50), ReadSlowBlocks = false, RetryMin = TimeSpan.FromMilliseconds(100) });
        await FeedWaits.AllOnlineAsync(poller);
        // The moment the poller first reports the link down, taken in its own event (not when this
        // test's continuation gets to run): the back-off is measured from there.
        long droppedAt = 0;
        poller.PackUpdated += (_, _) =>
        {
            if (poller.IsLinkDown)
            {
                Interlocked.CompareExchange(ref droppedAt, System.Diagnostics.Stopwatch.GetTimestamp(), 0);
            }
        };
        var linkDown = FeedWaits.UntilAsync(poller, _ => poller.IsLinkDown, "link down");

        // The gateway then accepts two connections and drops them at once, as a busy one does.
        gateway.DropConnections(refuseFor: 2);
        await linkDown;
        await FeedWaits.AllFreshAsync(poller, DateTimeOffset.UtcNow);
        var backOn = System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref droppedAt));

        Assert.NotEqual(0, Interlocked.Read(ref droppedAt));
        Assert.Equal(3, poller.LinkDrops);
        Assert.Equal(3, poller.Reconnects);
        Assert.Equal(4, gateway.Accepted);
        // Reconnected at once after the first drop, then after 100 ms and 200 ms of back-off.
        Assert.True(backOn >= TimeSpan.FromMilliseconds(300), $"back on {backOn} after the link went down");
    }

    /// <summary>A transparent RS485 gateway in front of simulated packs (replies unpaced).</summary>
    private sealed class SimulatorGateway : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly BmsSimulator _simulator;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private readonly Lock _gate = new();
        private TcpClient? _current;
        private int _refuse;
        private int _accepted;

        public SimulatorGateway(SimulatorOptions options)
        {
            _simulator = new BmsSimulator(options);
            _listener.Start();
            _accepting = AcceptAsync(_stop.Token);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public int Accepted => Volatile.Read(ref _accepted);

        /// <summary>Closes the current connection and closes the next <paramref name="refuseFor"/> ones at once.</summary>
        public void DropConnections(int refuseFor)
        {
            lock (_gate)
            {
                _refuse = refuseFor;
                _current?.Dispose();
                _current = null;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            lock (_gate)
            {
                _current?.Dispose();
            }
            try
            {
                await _accepting;
            }
            catch (OperationCanceledException)
            {
                // The accept loop ends by cancellation when the fake gateway is disposed.
            }
            _stop.Dispose();
        }

        private async Task AcceptAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(stop);
                Interlocked.Increment(ref _accepted);
                lock (_gate)
                {
                    if (_refuse > 0)
                    {
                        _refuse--;
                        client.Dispose();
                        continue;
                    }
                    _current = client;
                }
                _ = ServeAsync(client, stop);
            }
        }

        private async Task ServeAsync(TcpClient client, CancellationToken stop)
        {
            var buffer = new byte[512];
            try
            {
                var stream = client.GetStream();
                while (true)
                {
                    var read = await stream.ReadAsync(buffer, stop);
                    if (read == 0)
                    {
                        return;
                    }
                    foreach (var reply in _simulator.Feed(buffer.AsSpan(0, read)))
                    {
                        await stream.WriteAsync(reply.Bytes, stop);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                // Dropped on purpose or stopped.
            }
        }
    }
}
