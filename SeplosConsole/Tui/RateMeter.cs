namespace SeplosConsole.Tui;

/// <summary>Requests per second from a growing counter, over the last few seconds. Not thread-safe.</summary>
public sealed class RateMeter
{
    private readonly Queue<(DateTimeOffset At, long Count)> _samples = new();
    private readonly TimeSpan _window;

    public RateMeter(TimeSpan? window = null) => _window = window ?? TimeSpan.FromSeconds(5);

    public void Add(DateTimeOffset at, long count)
    {
        if (_samples.Count > 0 && _samples.Last().Count == count && _samples.Last().At == at)
        {
            return;
        }
        _samples.Enqueue((at, count));
        // Keep one sample older than the window so the rate always spans about the window.
        while (_samples.Count > 2 && at - _samples.ElementAt(1).At >= _window)
        {
            _samples.Dequeue();
        }
    }

    public double? PerSecond(DateTimeOffset now)
    {
        if (_samples.Count < 2)
        {
            return null;
        }
        var (firstAt, firstCount) = _samples.Peek();
        var seconds = (now - firstAt).TotalSeconds;
        return seconds <= 0 ? null : (_samples.Last().Count - firstCount) / seconds;
    }
}
