using System.Threading.Channels;
using SeplosConsole.Rtu;
using SeplosConsole.Transport;

namespace SeplosConsole.Simulation;

/// <summary>
/// A bus with simulated packs in the same process (port name "sim"): what the master writes goes
/// to a <see cref="BmsSimulator"/>, whose replies arrive for <see cref="ReadAsync"/> after their
/// pacing delay. A <see cref="SimulatedFault.Disconnect"/> fault breaks the link like an unplug:
/// reads and writes throw <see cref="TransportException"/> and <see cref="IsOpen"/> is false
/// until <see cref="OpenAsync"/>.
/// </summary>
public sealed class InProcessSimulatorTransport : IBusTransport
{
    /// <summary>What the user types as the port to get this transport.</summary>
    public const string PortName = "sim";

    private Session? _session;

    public InProcessSimulatorTransport(BmsSimulator simulator)
    {
        Simulator = simulator;
    }

    /// <summary>A transport with a fresh simulator; reach packs and faults through <see cref="Simulator"/>.</summary>
    public static InProcessSimulatorTransport Create(SimulatorOptions options, TimeProvider? time = null)
        => new(new BmsSimulator(options, time));

    public BmsSimulator Simulator { get; }
    public string Name => PortName;
    public int? BaudRate => Simulator.Options.BaudRate;
    public bool IsOpen => _session is { IsLost: false };

    /// <summary>Each open makes a new session: replies queued on an earlier one are gone with it.</summary>
    public bool OpensQuiet => true;

    public Task OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_session is { IsLost: true })
        {
            _session.Dispose();
            _session = null;
        }
        _session ??= new Session(Simulator);
        return Task.CompletedTask;
    }

    public Task CloseAsync()
    {
        _session?.Dispose();
        _session = null;
        return Task.CompletedTask;
    }

    public void DiscardInput() => _session?.DiscardInput();

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var session = LiveSession();
        foreach (var reply in Simulator.Feed(data.Span))
        {
            session.Enqueue(reply);
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var session = LiveSession();
        if (session.TakePending(buffer.Span) is var fromPending and > 0)
        {
            return fromPending;
        }
        while (await session.Incoming.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (session.Incoming.Reader.TryRead(out var chunk))
            {
                return session.Deliver(chunk, buffer.Span);
            }
        }
        // The delivery pump completed the channel: the simulated link went away.
        throw Lost();
    }

    public ValueTask DisposeAsync() => new(CloseAsync());

    private Session LiveSession()
    {
        var session = _session ?? throw new TransportException($"{PortName} is not open");
        return session.IsLost ? throw Lost() : session;
    }

    private TransportException Lost()
    {
        _session?.Dispose();
        _session = null;
        return new TransportException($"lost the connection to {PortName} (simulated disconnect)");
    }

    /// <summary>One open period of the link: its reply pump and the bytes waiting to be read.</summary>
    private sealed class Session : IDisposable
    {
        private readonly BmsSimulator _simulator;
        private readonly CancellationTokenSource _stop = new();
        private readonly Channel<QueuedReply> _outgoing = Channel.CreateUnbounded<QueuedReply>(new UnboundedChannelOptions { SingleReader = true });
        private byte[]? _pending;
        private int _pendingOffset;
        private volatile bool _lost;
        private bool _disposed;

        public Session(BmsSimulator simulator)
        {
            _simulator = simulator;
            _ = PumpAsync(_stop.Token);
        }

        /// <summary>Bytes "on the wire" for the master to read.</summary>
        public Channel<byte[]> Incoming { get; } = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleWriter = true });

        public bool IsLost => _lost;

        /// <summary>A reply made from a request fed now; it goes on the wire after its delay.</summary>
        public void Enqueue(SimulatorReply reply) => _outgoing.Writer.TryWrite(new QueuedReply(reply, _simulator.Time.GetTimestamp()));

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            // Not disposed: the pump may still pass its token on after this; a cancelled source holds nothing to free.
            _stop.Cancel();
            _outgoing.Writer.TryComplete();
            Incoming.Writer.TryComplete();
        }

        public void DiscardInput()
        {
            _pending = null;
            while (Incoming.Reader.TryRead(out _))
            {
            }
        }

        public int TakePending(Span<byte> buffer)
        {
            if (_pending is null)
            {
                return 0;
            }
            return Deliver(_pending, buffer, _pendingOffset);
        }

        public int Deliver(byte[] chunk, Span<byte> buffer, int offset = 0)
        {
            var count = Math.Min(buffer.Length, chunk.Length - offset);
            chunk.AsSpan(offset, count).CopyTo(buffer);
            offset += count;
            (_pending, _pendingOffset) = offset < chunk.Length ? (chunk, offset) : (null, 0);
            return count;
        }

        /// <summary>Puts a reply on the wire; false when it was a disconnect (the link is gone).</summary>
        private bool Put(SimulatorReply reply)
        {
            if (reply.Disconnect)
            {
                _lost = true;
                Incoming.Writer.TryComplete();
                return false;
            }
            Incoming.Writer.TryWrite(reply.Bytes);
            return true;
        }

        /// <summary>
        /// Puts the queued replies on the wire one after the other, each at its time. Task.Delay fires
        /// on a ~4 ms timer tick here (platform notes: Task.Delay(1) ≈ 4 ms), which made replies of
        /// 20–40 ms up to 15 % late and the benchmark measure the simulator instead of the poller;
        /// <see cref="PreciseDelay"/> ends within about a millisecond (and follows a test's clock).
        /// </summary>
        private async Task PumpAsync(CancellationToken stop)
        {
            var time = _simulator.Time;
            var lineFreeAt = 0L;
            try
            {
                await foreach (var queued in _outgoing.Reader.ReadAllAsync(stop).ConfigureAwait(false))
                {
                    // Half duplex: a reply starts when its request came, or when the line became free;
                    // measured from there, not from now, so time spent queued is not added again.
                    var start = Math.Max(queued.QueuedAt, lineFreeAt);
                    var wait = queued.Reply.Delay - time.GetElapsedTime(start);
                    await PreciseDelay.WaitAsync(time, wait, stop).ConfigureAwait(false);
                    lineFreeAt = time.GetTimestamp();
                    if (!Put(queued.Reply))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Closed by the master.
            }
        }

        private sealed record QueuedReply(SimulatorReply Reply, long QueuedAt);
    }
}
