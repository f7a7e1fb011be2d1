using SeplosConsole.Rtu;
using SeplosConsole.Transport;

namespace SeplosConsole.Simulation;

/// <summary>One line of a capture to replay: its bytes, and when it was captured if the capture says.</summary>
public sealed record ReplayBurst(byte[] Bytes, TimeSpan? Time);

/// <summary>
/// <c>seplos simulate --replay FILE</c>: a capture played onto a pseudo-terminal as the bus carried
/// it, for listen mode (tests and users with a forum capture). Bursts go out at line speed; between
/// them it waits what the capture's own timestamps say, or, without timestamps, only the wire
/// time of the burst (line-rate pacing). It plays in a loop until cancelled and never answers:
/// a replay has no packs, only the recorded traffic.
/// </summary>
public sealed class CaptureReplayHost
{
    /// <summary>Unread bytes that mean no client reads the port (as <see cref="PtySimulatorHost"/>): bursts are dropped, as on a bus.</summary>
    private const int NobodyListening = 2048;

    /// <summary>A timestamp gap longer than this (a pause in the capture) is cut to it, so a replay never stalls.</summary>
    public static readonly TimeSpan MaxGap = TimeSpan.FromSeconds(2);

    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bytesPlayed;

    public CaptureReplayHost(IReadOnlyList<ReplayBurst> bursts, SerialLineSettings? line = null, TimeProvider? time = null)
    {
        Bursts = bursts;
        Line = line ?? SerialLineSettings.SeplosDefault;
        Time = time ?? TimeProvider.System;
    }

    public IReadOnlyList<ReplayBurst> Bursts { get; }
    public SerialLineSettings Line { get; }
    public TimeProvider Time { get; }

    /// <summary>Completes with the link path once a client can open it.</summary>
    public Task<string> Ready => _ready.Task;

    public long BytesPlayed => Interlocked.Read(ref _bytesPlayed);

    /// <summary>Rounds of the whole capture played so far.</summary>
    public int Rounds { get; private set; }

    /// <summary>
    /// Reads a capture file the way <c>decode</c> does (<see cref="CaptureLine"/>, <see cref="HexBytes"/>):
    /// one burst per line; lines without bytes are skipped. <paramref name="replace"/> undoes a
    /// capture tool's byte substitution (the sp05b capture wrote 0x5C for every 0x0A).
    /// </summary>
    public static IReadOnlyList<ReplayBurst> Load(IEnumerable<string> lines, (byte From, byte To)? replace = null)
    {
        var bursts = new List<ReplayBurst>();
        var number = 0;
        foreach (var text in lines)
        {
            var line = CaptureLine.Parse(text);
            var bytes = HexBytes.Parse(line.Hex, ++number).Bytes;
            if (bytes.Length == 0)
            {
                continue;
            }
            if (replace is { } swap)
            {
                bytes = [.. bytes.Select(b => b == swap.From ? swap.To : b)];
            }
            bursts.Add(new ReplayBurst(bytes, line.Time));
        }
        return bursts;
    }

    /// <summary>How long after <paramref name="burst"/> starts the next one does: its timestamp gap, else its wire time.</summary>
    public TimeSpan Pause(ReplayBurst burst, ReplayBurst next)
    {
        var wire = Line.WireTime(burst.Bytes.Length);
        if (burst.Time is { } at && next.Time is { } nextAt && nextAt > at)
        {
            var gap = nextAt - at;
            // A burst cannot take less than its wire time, and a long pause is cut short.
            return gap < wire ? wire : gap > MaxGap ? MaxGap : gap;
        }
        return wire;
    }

    private static void DrainClient(PseudoTerminal pty, byte[] discard)
    {
        try
        {
            while (pty.Read(discard, TimeSpan.Zero) > 0)
            {
            }
        }
        catch (IOException)
        {
            // No client at the moment (it closed the port): nothing to drain; the next one may come.
        }
    }

    /// <summary>Plays at <paramref name="linkPath"/> until cancelled; removes the link on the way out.</summary>
    public async Task RunAsync(string linkPath, CancellationToken cancellationToken)
    {
        if (Bursts.Count == 0)
        {
            throw new InvalidOperationException("the capture holds no bytes to replay");
        }
        try
        {
            // Like the simulator: a path a live simulator or replay serves is refused, not taken over;
            // disposed after the pty, it removes the link and then gives the path up.
            using var claim = LinkClaim.Take(linkPath);
            using var pty = PseudoTerminal.Open();
            claim.PointAt(pty.SlavePath);
            _ready.TrySetResult(linkPath);
            var discard = new byte[512];
            while (!cancellationToken.IsCancellationRequested)
            {
                for (var i = 0; i < Bursts.Count; i++)
                {
                    var burst = Bursts[i];
                    var started = Time.GetTimestamp();
                    // A listener never writes; anything a client sends is read and dropped so it cannot fill the pty.
                    DrainClient(pty, discard);
                    if (pty.PendingForClient < NobodyListening)
                    {
                        pty.Write(burst.Bytes);
                        Interlocked.Add(ref _bytesPlayed, burst.Bytes.Length);
                    }
                    var pause = Pause(burst, Bursts[(i + 1) % Bursts.Count]) - Time.GetElapsedTime(started);
                    if (pause > TimeSpan.Zero)
                    {
                        await PreciseDelay.WaitAsync(Time, pause, cancellationToken).ConfigureAwait(false);
                    }
                }
                Rounds++;
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
}
