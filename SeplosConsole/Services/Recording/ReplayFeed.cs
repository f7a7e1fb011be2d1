using System.Collections.Concurrent;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Recording;

/// <summary>
/// <c>--replay FILE</c>: a recording played back as a feed, at its own pace times
/// <see cref="Speed"/>. Each recorded update goes through the same merge and decoder as a live
/// poll, so the front ends see the snapshots they saw when it was recorded. Read-only: nothing is
/// on a bus to write to (<see cref="WritesRefusedReason"/>). Ends when the recording does, leaving
/// the last values in place. Events are raised on the replay task.
/// </summary>
public sealed class ReplayFeed : IPackFeed
{
    /// <summary>Why a write cannot happen on a replay; shown to the user as is.</summary>
    public const string WritesRefusedReason =
        "replaying a recording: there is no pack to write to; connect to the pack (--port) to change settings";

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<byte, PackStatus> _status = new();
    private readonly LinkCountersSnapshot _noCounters = new LinkCounters().Snapshot();

    public ReplayFeed(string path, double speed, IReadOnlyList<byte>? addresses = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(speed, 0);
        _path = path;
        Speed = speed;
        _time = time ?? TimeProvider.System;
        foreach (var address in addresses ?? [])
        {
            _status[address] = new PackStatus(address, PackLinkState.Connecting, PackSnapshot.Empty(address), null, null, _noCounters);
        }
    }

    public event EventHandler<PackStatus>? PackUpdated;
    private readonly List<BusEvent> _unheard = [];
    private EventHandler<BusEvent>? _event;

    /// <summary>
    /// Log lines. A replay can be over before a front end has subscribed (a short recording at a
    /// high speed), so lines raised while nobody listened go to the first subscriber.
    /// </summary>
    public event EventHandler<BusEvent>? Event
    {
        add
        {
            BusEvent[] unheard;
            lock (_unheard)
            {
                _event += value;
                unheard = [.. _unheard];
                _unheard.Clear();
            }
            foreach (var line in unheard)
            {
                value?.Invoke(this, line);
            }
        }
        remove
        {
            lock (_unheard)
            {
                _event -= value;
            }
        }
    }

    /// <summary>True once the whole recording has been played.</summary>
    public bool Finished { get; private set; }

    public double Speed { get; }

    public IReadOnlyList<PackStatus> AllStatus => [.. _status.Values.OrderBy(s => s.Address)];

    public string LinkName => Speed == 1 ? $"replay {Path.GetFileName(_path)}" : $"replay {Path.GetFileName(_path)} ×{Speed:0.##}";

    public bool IsLinkDown { get; private set; }

    /// <summary>Nothing is transmitted and nothing can be written.</summary>
    public bool IsListenOnly => true;

    /// <summary>Updates played so far.</summary>
    public long Updates { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = new RecordingReader();
        try
        {
            var stream = RecordingReader.OpenFile(_path);
            await using var streamScope = stream.ConfigureAwait(false);
            Log(BusEventLevel.Info, $"replaying {_path}" + (Speed == 1 ? "" : $" at {Speed:0.##}× speed"));
            DateTimeOffset? firstTime = null;
            var started = _time.GetTimestamp();
            await foreach (var (update, snapshot) in RecordedSnapshots.ReadAsync(stream, reader, cancellationToken).ConfigureAwait(false))
            {
                firstTime ??= update.Time;
                var due = (update.Time - firstTime.Value) / Speed;
                var wait = due - _time.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }
                // When it was played, not when it was recorded: the status line's age says whether the replay still runs.
                Publish(new PackStatus(update.Address, PackLinkState.Online, snapshot, _time.GetUtcNow(), null, _noCounters));
                Updates++;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (IOException ex)
        {
            IsLinkDown = true;
            Log(BusEventLevel.Error, $"cannot read {_path}: {ex.Message}");
            return;
        }
        Finished = true;
        Log(BusEventLevel.Info, $"end of the recording: {Updates} updates"
            + (reader.SkippedLines > 0 ? $", {reader.SkippedLines} line(s) skipped ({reader.FirstProblem})" : ""));
    }

    private void Publish(PackStatus status)
    {
        _status[status.Address] = status;
        PackUpdated?.Invoke(this, status);
    }

    /// <summary>Adds a line to the event stream from outside (e.g. the MQTT bridge), for one log.</summary>
    public void Report(BusEventLevel level, string message) => Log(level, message);

    private void Log(BusEventLevel level, string message)
    {
        var line = new BusEvent(_time.GetUtcNow(), level, null, message);
        EventHandler<BusEvent>? listeners;
        lock (_unheard)
        {
            listeners = _event;
            if (listeners is null && _unheard.Count < 50)
            {
                _unheard.Add(line);
            }
        }
        listeners?.Invoke(this, line);
    }
}
