using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Recording;

/// <summary>
/// Records what a feed reads: on each update of a pack, the blocks read since its last update
/// (by their read time), raw, to a sink. Hooked to the feed, so the dashboard, <c>seplos mqtt</c>
/// and anything else on a <see cref="IPackFeed"/> record alike. A failing disk stops the recording
/// with one log line; it never stops the feed. Thread-safe (a listener may raise from several tasks).
/// </summary>
public sealed class FeedRecorder : IAsyncDisposable
{
    private readonly IPackFeed _feed;
    private readonly IRecordingSink _sink;
    private readonly Action<BusEventLevel, string> _log;
    private readonly Dictionary<(byte, BlockId), DateTimeOffset> _recorded = [];
    private readonly Lock _gate = new();
    private volatile bool _failed;

    private string? _firstWriteMessage;

    /// <param name="firstWriteMessage">Logged with the first update written (front ends listen to the log by then).</param>
    public FeedRecorder(IPackFeed feed, IRecordingSink sink, Action<BusEventLevel, string> log, string? firstWriteMessage = null)
    {
        _feed = feed;
        _sink = sink;
        _log = log;
        _firstWriteMessage = firstWriteMessage;
        _feed.PackUpdated += OnPackUpdated;
    }

    /// <summary>Updates written (one line each).</summary>
    public long Updates { get; private set; }

    public long BytesWritten => _sink.BytesWritten;

    /// <summary>False once a write failed (the recording stopped); for a status line.</summary>
    public bool IsRecording => !_failed;

    private void OnPackUpdated(object? sender, PackStatus status)
    {
        lock (_gate)
        {
            if (_failed)
            {
                return;
            }
            var fresh = new List<BlockReading>();
            foreach (var reading in status.Snapshot.Blocks.Values)
            {
                if (!_recorded.TryGetValue((status.Address, reading.Block), out var last) || reading.ReadAt > last)
                {
                    fresh.Add(reading);
                }
            }
            if (fresh.Count == 0)
            {
                return;
            }
            fresh.Sort((a, b) => a.ReadAt != b.ReadAt ? a.ReadAt.CompareTo(b.ReadAt) : a.Block.CompareTo(b.Block));
            try
            {
                _sink.Write(status.Address, fresh);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _failed = true;
                _log(BusEventLevel.Error, $"recording stopped: {ex.Message}");
                return;
            }
            foreach (var reading in fresh)
            {
                _recorded[(status.Address, reading.Block)] = reading.ReadAt;
            }
            Updates++;
            if (_firstWriteMessage is { } message)
            {
                _firstWriteMessage = null;
                _log(BusEventLevel.Info, message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _feed.PackUpdated -= OnPackUpdated;
        lock (_gate)
        {
            // An update already inside the handler finishes first; none writes after this.
            _failed = true;
        }
        await _sink.DisposeAsync().ConfigureAwait(false);
    }
}
