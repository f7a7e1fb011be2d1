using System.Threading.Channels;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;

namespace SeplosConsole.Simulation;

/// <summary>
/// Serves simulated packs on a pseudo-terminal so that any serial client (this tool, the vendor
/// software under Wine, mbpoll …) can open <c>linkPath</c> like a USB–RS485 adapter. Replies are
/// paced as on a 19200 baud line, since a pty delivers at once (platform notes). A
/// <see cref="SimulatedFault.Disconnect"/> fault closes the pty pair, waits
/// <see cref="SimulatorOptions.ReplugDelay"/> and creates a new pair behind the same link, as an
/// unplug and replug of an adapter looks to the client.
/// </summary>
public sealed class PtySimulatorHost
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Unread bytes (about ten rounds of the played master) that mean no client reads the port.</summary>
    private const int NobodyListening = 2048;

    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _writeGate = new();
    private long _bytesFromClient;

    /// <summary>The simulator being served; set before <see cref="Ready"/> completes.</summary>
    public BmsSimulator? Simulator { get; private set; }

    /// <summary>Completes with the link path once a client can open it (awaited by tests and the CLI).</summary>
    public Task<string> Ready => _ready.Task;

    /// <summary>Bytes the client on the link has written (a listener must leave this at zero).</summary>
    public long BytesFromClient => Interlocked.Read(ref _bytesFromClient);

    /// <summary>Raised with the new slave device each time the link is (re)created.</summary>
    public event EventHandler<string>? Linked;

    /// <summary>Raised when a disconnect fault has closed the port.</summary>
    public event EventHandler? Unplugged;

    public Task RunAsync(string linkPath, SimulatorOptions options, CancellationToken cancellationToken)
        => RunAsync(linkPath, new BmsSimulator(options), cancellationToken);

    /// <summary>
    /// Serves <paramref name="simulator"/> at <paramref name="linkPath"/> until cancelled; removes the link on the way out.
    /// Fails (through <see cref="Ready"/> too) with an <see cref="IOException"/> when a live simulator serves that path already.
    /// </summary>
    public async Task RunAsync(string linkPath, BmsSimulator simulator, CancellationToken cancellationToken)
    {
        Simulator = simulator;
        try
        {
            // Disposed last: removes the link, then gives the path up for the next simulator.
            using var claim = LinkClaim.Take(linkPath);
            while (!cancellationToken.IsCancellationRequested)
            {
                bool unplugged;
                using (var pty = PseudoTerminal.Open())
                {
                    claim.PointAt(pty.SlavePath);
                    _ready.TrySetResult(linkPath);
                    Linked?.Invoke(this, pty.SlavePath);
                    unplugged = await ServeAsync(pty, simulator, cancellationToken).ConfigureAwait(false);
                }
                if (!unplugged)
                {
                    break;
                }
                Unplugged?.Invoke(this, EventArgs.Empty);
                await Task.Delay(simulator.Options.ReplugDelay, simulator.Time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by the caller.
        }
        catch (Exception ex)
        {
            _ready.TrySetException(ex);
            throw;
        }
        finally
        {
            _ready.TrySetCanceled(CancellationToken.None);
        }
    }

    /// <summary>Answers requests until cancelled (false) or a disconnect fault (true).</summary>
    private async Task<bool> ServeAsync(PseudoTerminal pty, BmsSimulator simulator, CancellationToken cancellationToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var replies = Channel.CreateUnbounded<SimulatorReply>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var master = simulator.Options.PlayMaster ? PlayMasterAsync(pty, simulator, session.Token) : Task.CompletedTask;
        // poll() blocks a thread: give the reader its own instead of a pool thread.
        var reader = Task.Factory.StartNew(
            () => ReadRequests(pty, simulator, replies.Writer, session.Token),
            session.Token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            // One reply after the other, each after its pacing delay, as on a half-duplex line.
            // Precisely: Task.Delay ends on a ~4 ms tick here, replies of 20–40 ms came ~4 ms late.
            await foreach (var reply in replies.Reader.ReadAllAsync(session.Token).ConfigureAwait(false))
            {
                await PreciseDelay.WaitAsync(simulator.Time, reply.Delay, session.Token).ConfigureAwait(false);
                if (reply.Disconnect)
                {
                    return true;
                }
                WriteFrame(pty, reply.Bytes);
            }
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            try
            {
                await reader.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The reader stops by cancellation.
            }
            try
            {
                await master.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The master stops by cancellation.
            }
        }
    }

    /// <summary>
    /// Pack 0 as the master of a parallel system: every <see cref="SimulatorOptions.MasterPollInterval"/>
    /// it polls the next slave with PIA, PIB and PIC (request, then the slave's reply), then sends
    /// its own PIA, PIB and PIC replies with no request, each paced like the wire.
    /// </summary>
    private async Task PlayMasterAsync(PseudoTerminal pty, BmsSimulator simulator, CancellationToken stop)
    {
        var time = simulator.Time;
        var slaves = simulator.Options.Addresses.Where(a => a != 0).ToArray();
        var turn = 0;
        while (!stop.IsCancellationRequested)
        {
            var started = time.GetTimestamp();
            if (pty.PendingForClient > NobodyListening)
            {
                // No program reads the port: skip the round, as frames on a real bus with no
                // listener are simply gone. Writing on would fill the pty and block the write.
                await Task.Delay(simulator.Options.MasterPollInterval, time, stop).ConfigureAwait(false);
                continue;
            }
            if (slaves.Length > 0)
            {
                var slave = slaves[turn++ % slaves.Length];
                foreach (var block in SeplosMap.LiveBlocks)
                {
                    foreach (var request in SeplosMap.Block(block).Requests(slave))
                    {
                        var frame = request.Encode();
                        WriteFrame(pty, frame);
                        await SendRepliesAsync(pty, simulator, frame, stop).ConfigureAwait(false);
                    }
                }
            }
            foreach (var block in SeplosMap.LiveBlocks)
            {
                foreach (var request in SeplosMap.Block(block).Requests(0))
                {
                    // The master's own data goes out as a reply nobody asked for: only the reply is written.
                    await SendRepliesAsync(pty, simulator, request.Encode(), stop).ConfigureAwait(false);
                }
            }
            var rest = simulator.Options.MasterPollInterval - time.GetElapsedTime(started);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, time, stop).ConfigureAwait(false);
            }
        }
    }

    private async Task SendRepliesAsync(PseudoTerminal pty, BmsSimulator simulator, byte[] request, CancellationToken stop)
    {
        foreach (var reply in simulator.Feed(request))
        {
            await PreciseDelay.WaitAsync(simulator.Time, reply.Delay, stop).ConfigureAwait(false);
            if (!reply.Disconnect)
            {
                WriteFrame(pty, reply.Bytes);
            }
        }
    }

    /// <summary>Replies to the client and the played master's frames share the pty: one frame at a time.</summary>
    private void WriteFrame(PseudoTerminal pty, byte[] frame)
    {
        lock (_writeGate)
        {
            pty.Write(frame);
        }
    }

    private void ReadRequests(PseudoTerminal pty, BmsSimulator simulator, ChannelWriter<SimulatorReply> replies, CancellationToken stop)
    {
        var buffer = new byte[512];
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var count = pty.Read(buffer, PollInterval);
                if (count == 0)
                {
                    continue;
                }
                Interlocked.Add(ref _bytesFromClient, count);
                foreach (var reply in simulator.Feed(buffer.AsSpan(0, count)))
                {
                    replies.TryWrite(reply);
                }
            }
            replies.TryComplete();
        }
        catch (IOException ex)
        {
            replies.TryComplete(ex);
        }
    }
}
