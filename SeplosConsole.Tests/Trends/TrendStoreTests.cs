using CsCheck;
using SeplosConsole.Services.Trends;

namespace SeplosConsole.Tests.Trends;

/// <summary>The trend history: downsampling keeps min ≤ mean ≤ max and the true extremes, memory stays bounded.</summary>
public sealed class TrendStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    // Readings at irregular intervals (0.1 s to 10 min) with values anywhere, some missing (NaN).
    private static readonly Gen<(int StepMs, float[] Values)[]> GenReadings =
        Gen.Select(Gen.Int[100, 600_000], Gen.Single[-1000f, 1000f].Array[TrendStore.MetricCount], Gen.Bool)
            .Select((step, values, gap) => (step, gap ? [.. values.Select((v, i) => i == 0 ? float.NaN : v)] : values))
            .Array[1, 400];

    private static (PackTrend Trend, List<(DateTimeOffset At, float[] Values)> Added) Fill((int StepMs, float[] Values)[] readings)
    {
        var trend = new PackTrend();
        var added = new List<(DateTimeOffset, float[])>();
        var at = Start;
        foreach (var (step, values) in readings)
        {
            at = at.AddMilliseconds(step);
            trend.Add(at, values);
            added.Add((at, values));
        }
        return (trend, added);
    }

    [Fact]
    public void Every_bucket_and_column_has_min_at_most_mean_at_most_max()
    {
        GenReadings.Sample(readings =>
        {
            var (trend, added) = Fill(readings);
            foreach (var window in Enum.GetValues<TrendWindow>())
            {
                foreach (var metric in Enum.GetValues<TrendMetric>())
                {
                    foreach (var (_, bucket) in window == TrendWindow.TenMinutes ? [] : trend.Buckets(metric, window))
                    {
                        Assert.True(bucket.Min <= bucket.Mean && bucket.Mean <= bucket.Max, $"{window} {metric}: {bucket}");
                    }
                    foreach (var column in trend.Columns(metric, window, added[^1].At, 60).Where(c => c.HasValue))
                    {
                        Assert.True(column.Min <= column.Mean && column.Mean <= column.Max, $"{window} {metric}: {column}");
                    }
                }
            }
        });
    }

    [Fact]
    public void A_window_shows_the_true_lowest_and_highest_reading_inside_it()
    {
        GenReadings.Sample(readings =>
        {
            var (trend, added) = Fill(readings);
            var end = added[^1].At;
            foreach (var window in Enum.GetValues<TrendWindow>())
            {
                // Readings well inside the window (a bucket straddling its start may add a little more).
                var edge = window == TrendWindow.OneDay ? TimeSpan.FromMinutes(4) : TimeSpan.FromSeconds(10);
                var inside = added.Where(a => a.At >= end - TrendStore.Length(window) + edge).Select(a => a.Values[(int)TrendMetric.Soc]).ToList();
                var columns = trend.Columns(TrendMetric.Soc, window, end, 60).Where(c => c.HasValue).ToList();
                if (window == TrendWindow.TenMinutes && added.Count > PackTrend.RawCapacity)
                {
                    continue;
                }
                Assert.NotEmpty(columns);
                Assert.True(columns.Min(c => c.Min) <= inside.Min());
                Assert.True(columns.Max(c => c.Max) >= inside.Max());
            }
        });
    }

    [Fact]
    public void However_many_readings_arrive_the_history_holds_a_fixed_number()
    {
        Gen.Int[1, 20_000].Sample(readings =>
        {
            var trend = new PackTrend();
            var values = new float[TrendStore.MetricCount];
            for (var i = 0; i < readings; i++)
            {
                values[0] = i;
                trend.Add(Start.AddMilliseconds(250.0 * i), values);
            }
            Assert.Equal(Math.Min(readings, PackTrend.RawCapacity), trend.RawCount);
            Assert.True(trend.Buckets(TrendMetric.PackVoltage, TrendWindow.OneHour).Count <= PackTrend.BucketCount);
            Assert.True(trend.Buckets(TrendMetric.PackVoltage, TrendWindow.OneDay).Count <= PackTrend.BucketCount);
            Assert.Equal(readings - 1, trend.Now(TrendMetric.PackVoltage));
        }, iter: 40);
    }

    [Theory]
    [MemberData(nameof(Metrics))]
    public void Every_metric_reads_a_field_of_the_register_map(TrendMetric metric)
        => Assert.True(SeplosConsole.Seplos.SeplosMap.FindField(TrendStore.FieldKey(metric)) is { } field && field.Key == TrendStore.FieldKey(metric),
            $"{metric} reads \"{TrendStore.FieldKey(metric)}\", which is not a key of the map: its graph would stay empty");

    public static TheoryData<TrendMetric> Metrics => [.. Enum.GetValues<TrendMetric>()];
}
