using Microsoft.Extensions.Time.Testing;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Tests.Bus;

/// <summary>The scheduler's timing, driven by a fake clock: each "poll" moves the clock by what it would cost on the line.</summary>
public sealed class PollSchedulerTests
{
    /// <summary>One PIA+PIB+PIC refresh at 19200 baud with a 10 ms turnaround.</summary>
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(106);

    /// <summary>A dead address: 500 ms timeout × 3 tries on its first block.</summary>
    private static readonly TimeSpan DeadPoll = TimeSpan.FromMilliseconds(1500);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>Runs the bus loop for <paramref name="duration"/> of fake time; returns the polls in order.</summary>
    private List<(byte Address, DateTimeOffset At)> Drive(PollScheduler scheduler, TimeSpan duration, HashSet<byte>? dead = null)
    {
        var polls = new List<(byte, DateTimeOffset)>();
        var end = _clock.GetUtcNow() + duration;
        while (_clock.GetUtcNow() < end)
        {
            if (scheduler.NextDue() is not { } address)
            {
                _clock.SetUtcNow(scheduler.EarliestDue);
                continue;
            }
            var started = _clock.GetUtcNow();
            polls.Add((address, started));
            if (dead?.Contains(address) == true)
            {
                _clock.Advance(DeadPoll);
                scheduler.Failed(address);
            }
            else
            {
                _clock.Advance(Refresh);
                scheduler.Answered(address, started);
            }
        }
        return polls;
    }

    [Fact]
    public void One_second_interval_polls_each_pack_once_a_second()
    {
        var scheduler = new PollScheduler(new PollerOptions { Addresses = [0, 1, 2], Interval = TimeSpan.FromSeconds(1) }, _clock);

        var polls = Drive(scheduler, TimeSpan.FromSeconds(10));

        foreach (byte address in new byte[] { 0, 1, 2 })
        {
            var times = polls.Where(p => p.Address == address).Select(p => p.At).ToList();
            Assert.Equal(10, times.Count);
            Assert.All(times.Zip(times.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second - pair.First));
        }
    }

    [Fact]
    public void Zero_interval_polls_packs_round_robin_back_to_back()
    {
        var scheduler = new PollScheduler(new PollerOptions { Addresses = [0, 1, 2], Interval = TimeSpan.Zero }, _clock);

        var polls = Drive(scheduler, TimeSpan.FromSeconds(3));

        Assert.Equal([0, 1, 2, 0, 1, 2, 0, 1, 2], polls.Take(9).Select(p => p.Address));
        // No idle time at all: each poll starts when the previous one ends.
        Assert.All(polls.Zip(polls.Skip(1)), pair => Assert.Equal(Refresh, pair.Second.At - pair.First.At));
    }

    [Fact]
    public void Dead_pack_among_live_ones_costs_one_timeout_per_backoff_period_not_every_sweep()
    {
        var options = new PollerOptions { Addresses = [0, 1, 2, 3], Interval = TimeSpan.Zero };
        var scheduler = new PollScheduler(options, _clock);

        var polls = Drive(scheduler, TimeSpan.FromMinutes(5), dead: new HashSet<byte> { 2 });

        var deadPolls = polls.Where(p => p.Address == 2).Select(p => p.At).ToList();
        // Three failures in a row make it offline; then it waits 1, 2, 4, 8, 16, 30, 30 … s.
        var gaps = deadPolls.Zip(deadPolls.Skip(1), (a, b) => b - a).ToList();
        var afterOffline = gaps.Skip(options.FailuresBeforeOffline - 1).ToList();
        Assert.All(afterOffline.Zip(afterOffline.Skip(1)), pair => Assert.True(pair.Second >= pair.First, "the back-off never shrinks while the pack stays silent"));
        Assert.True(afterOffline[^1] >= options.RetryMax, $"back-off reached {afterOffline[^1]}");
        // Five minutes at 30 s a try, plus the ramp: about 15 tries, not one per 0.3 s sweep.
        Assert.InRange(deadPolls.Count, 10, 20);
        var deadTime = DeadPoll * deadPolls.Count;
        Assert.True(deadTime < TimeSpan.FromMinutes(5) * 0.1, $"the dead pack took {deadTime} of the line");
        // The live packs share the rest evenly.
        var live = polls.Where(p => p.Address != 2).GroupBy(p => p.Address).Select(g => g.Count()).ToList();
        Assert.Equal(3, live.Count);
        Assert.True(live.Max() - live.Min() <= 1);
        Assert.True(live.Min() >= (TimeSpan.FromMinutes(5) - deadTime) / Refresh / 3 - 1);
    }

    [Fact]
    public void Pack_that_answers_again_is_polled_every_round_again()
    {
        var scheduler = new PollScheduler(new PollerOptions { Addresses = [0], Interval = TimeSpan.FromSeconds(1) }, _clock);
        for (var i = 0; i < 5; i++)
        {
            scheduler.Failed(0);
        }
        Assert.Equal(TimeSpan.FromSeconds(4), scheduler.NextPoll(0) - _clock.GetUtcNow());

        _clock.SetUtcNow(scheduler.NextPoll(0));
        scheduler.Answered(0, _clock.GetUtcNow());

        Assert.Equal(0, scheduler.Failures(0));
        Assert.Equal(TimeSpan.FromSeconds(1), scheduler.NextPoll(0) - _clock.GetUtcNow());
    }

    [Fact]
    public void Failures_below_the_offline_threshold_are_stale_and_retried_next_round()
    {
        var scheduler = new PollScheduler(new PollerOptions { Addresses = [0], FailuresBeforeOffline = 3 }, _clock);

        Assert.Equal(PollOutcome.Stale, scheduler.Failed(0));
        Assert.Equal(PollOutcome.Stale, scheduler.Failed(0));
        Assert.Equal(PollOutcome.Offline, scheduler.Failed(0));
        Assert.Equal(TimeSpan.FromSeconds(1), scheduler.NextPoll(0) - _clock.GetUtcNow());
    }

    [Fact]
    public void Backoff_doubles_from_retry_min_to_retry_max()
    {
        var scheduler = new PollScheduler(new PollerOptions(), _clock);

        var delays = Enumerable.Range(1, 8).Select(scheduler.Backoff).Select(d => d.TotalSeconds);

        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], delays);
    }

    [Fact]
    public void Slow_blocks_are_read_at_start_after_a_refresh_request_and_every_slow_interval()
    {
        var options = new PollerOptions { Addresses = [1], SlowInterval = TimeSpan.FromMinutes(5) };
        var scheduler = new PollScheduler(options, _clock);
        IReadOnlyList<BlockId> live = SeplosMap.LiveBlocks;
        IReadOnlyList<BlockId> all = [.. SeplosMap.LiveBlocks, .. SeplosMap.SlowBlocks, .. SeplosMap.OptionalSlowBlocks];

        Assert.Equal(all, scheduler.BlocksFor(1));
        scheduler.Answered(1, _clock.GetUtcNow());
        Assert.Equal(live, scheduler.BlocksFor(1));

        scheduler.RefreshParameters(1);
        Assert.Equal(all, scheduler.BlocksFor(1));
        scheduler.Answered(1, _clock.GetUtcNow());

        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(all, scheduler.BlocksFor(1));
    }

    [Fact]
    public void System_blocks_only_for_the_master_and_dropped_once_refused()
    {
        var scheduler = new PollScheduler(new PollerOptions { Addresses = [0, 1], ReadSystemBlocks = true, ReadSlowBlocks = false }, _clock);

        Assert.Equal([BlockId.Pia, BlockId.Pib, BlockId.Pic, BlockId.Eia, BlockId.Eic], scheduler.BlocksFor(0));
        Assert.Equal(SeplosMap.LiveBlocks, scheduler.BlocksFor(1));

        scheduler.MarkUnsupported(0, BlockId.Eia);
        Assert.Equal([BlockId.Pia, BlockId.Pib, BlockId.Pic, BlockId.Eic], scheduler.BlocksFor(0));
    }

    [Fact]
    public void Link_restored_polls_every_backed_off_pack_at_once()
    {
        var scheduler = new PollScheduler(new PollerOptions { Addresses = [0, 1] }, _clock);
        for (var i = 0; i < 6; i++)
        {
            scheduler.Failed(0);
        }
        Assert.Equal(TimeSpan.FromSeconds(1), scheduler.LinkFailed());
        Assert.Equal(TimeSpan.FromSeconds(2), scheduler.LinkFailed());

        scheduler.LinkRestored();

        Assert.Equal(_clock.GetUtcNow(), scheduler.NextPoll(0));
        Assert.NotNull(scheduler.NextDue());
        // Opening is not enough to forget the failures; an answer is.
        Assert.Equal(TimeSpan.FromSeconds(4), scheduler.LinkFailed());
        scheduler.LinkAnswered();
        Assert.Equal(TimeSpan.FromSeconds(1), scheduler.LinkFailed());
    }

    [Fact]
    public void A_parameter_refresh_asked_for_during_a_poll_is_served_by_the_next_poll()
    {
        var scheduler = new PollScheduler(new PollerOptions { Addresses = [0] }, _clock);
        Assert.Contains(BlockId.Spa, scheduler.BlocksFor(0));
        scheduler.Answered(0, _clock.GetUtcNow());

        var live = scheduler.BlocksFor(0);
        scheduler.RefreshParameters(0);   // a write ran between two blocks of this poll
        scheduler.Answered(0, _clock.GetUtcNow());

        Assert.DoesNotContain(BlockId.Spa, live);
        Assert.Contains(BlockId.Spa, scheduler.BlocksFor(0));
    }
}
