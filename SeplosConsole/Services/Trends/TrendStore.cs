using System.Collections.Concurrent;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Trends;

/// <summary>What the trends view draws: one value per pack reading.</summary>
public enum TrendMetric
{
    PackVoltage,
    Current,
    Power,
    Soc,
    /// <summary>Highest − lowest cell (cell_delta).</summary>
    CellSpread,
    HighestCell,
    LowestCell,
    /// <summary>The pack's highest cell temperature.</summary>
    HighestTemperature,
}

/// <summary>How far back a graph reaches.</summary>
public enum TrendWindow
{
    TenMinutes,
    OneHour,
    OneDay,
}

/// <summary>Min, mean and max of the samples in one slice of time; NaN when it holds none.</summary>
public readonly record struct TrendColumn(float Min, float Mean, float Max)
{
    public static readonly TrendColumn Empty = new(float.NaN, float.NaN, float.NaN);
    public bool HasValue => !float.IsNaN(Mean);
}

/// <summary>
/// The history the trends view draws, kept per pack in fixed memory: every reading for the short
/// window (<see cref="PackTrend"/>), min/mean/max buckets for the long ones. Filled from a feed on
/// its own (<see cref="Attach"/>), so the history is there when the view is first opened.
/// Thread-safe: the feed adds on its task, the dashboard reads on the UI thread.
/// </summary>
public sealed class TrendStore
{
    public static readonly int MetricCount = Enum.GetValues<TrendMetric>().Length;

    // The map's keys for each metric, in TrendMetric order.
    private static readonly string[] Keys = ["pack_voltage", "current", "power", "soc", "cell_delta", "max_cell_voltage", "min_cell_voltage", "max_cell_temp"];

    private readonly ConcurrentDictionary<byte, PackTrend> _packs = new();
    private readonly ConcurrentDictionary<byte, DateTimeOffset> _lastRead = new();

    public static TimeSpan Length(TrendWindow window) => window switch
    {
        TrendWindow.TenMinutes => TimeSpan.FromMinutes(10),
        TrendWindow.OneHour => TimeSpan.FromHours(1),
        _ => TimeSpan.FromDays(1),
    };

    public static string FieldKey(TrendMetric metric) => Keys[(int)metric];

    /// <summary>Adds every new pack reading the feed publishes; dispose the result to stop.</summary>
    public IDisposable Attach(IPackFeed feed)
    {
        void OnUpdated(object? sender, PackStatus status) => Add(status.Snapshot);
        feed.PackUpdated += OnUpdated;
        return new Detach(() => feed.PackUpdated -= OnUpdated);
    }

    /// <summary>Adds the snapshot's values at the time PIA was read, once per PIA reading.</summary>
    public void Add(PackSnapshot snapshot)
    {
        if (!snapshot.Blocks.TryGetValue(BlockId.Pia, out var pia)
            || (_lastRead.TryGetValue(snapshot.Address, out var last) && pia.ReadAt <= last))
        {
            return;
        }
        _lastRead[snapshot.Address] = pia.ReadAt;
        Span<float> values = stackalloc float[MetricCount];
        for (var i = 0; i < MetricCount; i++)
        {
            values[i] = snapshot.Value(Keys[i]) is { } v ? (float)v : float.NaN;
        }
        _packs.GetOrAdd(snapshot.Address, _ => new PackTrend()).Add(pia.ReadAt, values);
    }

    public PackTrend? For(byte address) => _packs.GetValueOrDefault(address);

    private sealed class Detach(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}

/// <summary>
/// One pack's history: a ring of every reading (enough for 10 minutes at 4 readings a second),
/// and rings of 10-second and 4-minute buckets (360 each: an hour, a day). Memory is fixed at
/// creation (~200 KiB), whatever the poll rate or run time. Thread-safe.
/// </summary>
public sealed class PackTrend
{
    public const int RawCapacity = 2400;
    public const int BucketCount = 360;

    private readonly Lock _gate = new();
    private readonly long[] _times = new long[RawCapacity];
    private readonly float[] _values = new float[RawCapacity * TrendStore.MetricCount];
    private readonly BucketRing _hour = new(TimeSpan.FromSeconds(10), BucketCount);
    private readonly BucketRing _day = new(TimeSpan.FromMinutes(4), BucketCount);
    private int _next;
    private int _count;

    /// <summary>Time of the newest reading.</summary>
    public DateTimeOffset? Latest { get; private set; }

    /// <summary>Readings kept at full rate (at most <see cref="RawCapacity"/>).</summary>
    public int RawCount
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public void Add(DateTimeOffset at, ReadOnlySpan<float> values)
    {
        lock (_gate)
        {
            _times[_next] = at.UtcTicks;
            values.CopyTo(_values.AsSpan(_next * TrendStore.MetricCount, TrendStore.MetricCount));
            _next = (_next + 1) % RawCapacity;
            _count = Math.Min(_count + 1, RawCapacity);
            _hour.Add(at.UtcTicks, values);
            _day.Add(at.UtcTicks, values);
            Latest = Latest is { } latest && latest > at ? latest : at;
        }
    }

    /// <summary>The newest value of a metric (NaN when the last reading lacked it).</summary>
    public float Now(TrendMetric metric)
    {
        lock (_gate)
        {
            return _count == 0 ? float.NaN : _values[(((_next - 1 + RawCapacity) % RawCapacity) * TrendStore.MetricCount) + (int)metric];
        }
    }

    /// <summary>
    /// The window ending at <paramref name="end"/> cut into <paramref name="columns"/> equal slices,
    /// each with the min/mean/max of what fell into it: readings for 10 minutes, buckets beyond.
    /// </summary>
    public TrendColumn[] Columns(TrendMetric metric, TrendWindow window, DateTimeOffset end, int columns)
    {
        var length = TrendStore.Length(window).Ticks;
        var from = end.UtcTicks - length;
        var min = new float[columns];
        var max = new float[columns];
        var sum = new double[columns];
        var count = new int[columns];
        Array.Fill(min, float.PositiveInfinity);
        Array.Fill(max, float.NegativeInfinity);
        void Put(long ticks, float low, float high, double total, int n)
        {
            if (ticks < from || ticks > end.UtcTicks || n == 0)
            {
                return;
            }
            var c = (int)Math.Min(columns - 1, (ticks - from) * columns / length);
            min[c] = Math.Min(min[c], low);
            max[c] = Math.Max(max[c], high);
            sum[c] += total;
            count[c] += n;
        }
        lock (_gate)
        {
            if (window == TrendWindow.TenMinutes)
            {
                for (var i = 0; i < _count; i++)
                {
                    var at = (_next - 1 - i + RawCapacity) % RawCapacity;
                    var value = _values[(at * TrendStore.MetricCount) + (int)metric];
                    if (!float.IsNaN(value))
                    {
                        Put(_times[at], value, value, value, 1);
                    }
                }
            }
            else
            {
                (window == TrendWindow.OneHour ? _hour : _day).ForEach(metric, from, Put);
            }
        }
        var result = new TrendColumn[columns];
        for (var c = 0; c < columns; c++)
        {
            result[c] = count[c] == 0 ? TrendColumn.Empty : new TrendColumn(min[c], (float)Math.Clamp(sum[c] / count[c], min[c], max[c]), max[c]);
        }
        return result;
    }

    /// <summary>The buckets of a long window as they are stored (for tests of the downsampling).</summary>
    public IReadOnlyList<(DateTimeOffset Start, TrendColumn Value)> Buckets(TrendMetric metric, TrendWindow window)
    {
        var result = new List<(DateTimeOffset, TrendColumn)>();
        lock (_gate)
        {
            (window == TrendWindow.OneHour ? _hour : _day).ForEach(metric, long.MinValue,
                (ticks, low, high, total, n) => result.Add((new DateTimeOffset(ticks, TimeSpan.Zero), new TrendColumn(low, (float)(total / n), high))));
        }
        return result;
    }

    /// <summary>Fixed-size ring of time buckets, each with per-metric min, max, sum and count. Caller locks.</summary>
    private sealed class BucketRing(TimeSpan width, int capacity)
    {
        private readonly long[] _slot = CreateSlots(capacity);
        private readonly float[] _min = new float[capacity * TrendStore.MetricCount];
        private readonly float[] _max = new float[capacity * TrendStore.MetricCount];
        private readonly double[] _sum = new double[capacity * TrendStore.MetricCount];
        private readonly int[] _count = new int[capacity * TrendStore.MetricCount];

        private static long[] CreateSlots(int capacity)
        {
            var slots = new long[capacity];
            Array.Fill(slots, long.MinValue);
            return slots;
        }

        public void Add(long ticks, ReadOnlySpan<float> values)
        {
            var slot = ticks / width.Ticks;
            var at = (int)(slot % capacity);
            if (_slot[at] != slot)
            {
                if (_slot[at] > slot)
                {
                    return; // older than what the ring now holds there: outside every window
                }
                _slot[at] = slot;
                var start = at * TrendStore.MetricCount;
                _min.AsSpan(start, TrendStore.MetricCount).Fill(float.PositiveInfinity);
                _max.AsSpan(start, TrendStore.MetricCount).Fill(float.NegativeInfinity);
                _sum.AsSpan(start, TrendStore.MetricCount).Clear();
                _count.AsSpan(start, TrendStore.MetricCount).Clear();
            }
            for (var m = 0; m < values.Length; m++)
            {
                var value = values[m];
                if (float.IsNaN(value))
                {
                    continue;
                }
                var i = (at * TrendStore.MetricCount) + m;
                _min[i] = Math.Min(_min[i], value);
                _max[i] = Math.Max(_max[i], value);
                _sum[i] += value;
                _count[i]++;
            }
        }

        /// <summary>Calls <paramref name="put"/> with (start ticks, min, max, sum, count) of each bucket starting at or after <paramref name="from"/>.</summary>
        public void ForEach(TrendMetric metric, long from, Action<long, float, float, double, int> put)
        {
            for (var at = 0; at < capacity; at++)
            {
                var slot = _slot[at];
                var i = (at * TrendStore.MetricCount) + (int)metric;
                if (slot == long.MinValue || _count[i] == 0)
                {
                    continue;
                }
                var start = slot * width.Ticks;
                if (start + width.Ticks > from)
                {
                    put(Math.Max(start, from), _min[i], _max[i], _sum[i], _count[i]);
                }
            }
        }
    }
}
