using Microsoft.Extensions.Time.Testing;
using SeplosConsole.Hosting;

namespace SeplosConsole.Tests.Hosting;

public sealed class ServiceHealthTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(80);
    private readonly FakeTimeProvider _time = new();
    private bool _busMayBeQuiet;

    private ServiceHealth Create() => new(_time, Limit, () => _busMayBeQuiet);

    [Fact]
    public void Ready_needs_a_finished_poll_and_then_a_publish_pass_while_connected()
    {
        var health = Create();

        health.BrokerTurned(connected: true);
        Assert.False(health.IsReady); // connected, but nothing polled yet
        health.BusTurned();
        health.BrokerTurned(connected: false);
        Assert.False(health.IsReady); // polled, but the broker is not connected
        health.BrokerTurned(connected: true);
        Assert.True(health.IsReady);
        health.BrokerTurned(connected: false);
        Assert.True(health.IsReady); // latched: a later broker outage is the watchdog's business
    }

    [Fact]
    public void Polls_and_publish_passes_that_keep_coming_are_alive()
    {
        var health = Create();

        for (var i = 0; i < 300; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            health.BusTurned();
            health.BrokerTurned(connected: true);
        }

        Assert.Null(health.Stall());
    }

    [Fact]
    public void A_poll_loop_that_stops_finishing_polls_is_stalled_after_the_limit()
    {
        var health = Create();
        health.BusTurned();
        health.BrokerTurned(connected: true);

        _time.Advance(Limit);
        Assert.Null(health.Stall());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("the poll loop has not finished a poll for 81 s", health.Stall());
    }

    [Fact]
    public void A_quiet_bus_is_not_stalled_while_the_link_is_down_or_the_feed_only_listens()
    {
        var health = Create();
        health.BusTurned();
        health.BrokerTurned(connected: true);
        _busMayBeQuiet = true;

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Null(health.Stall());
        _busMayBeQuiet = false;
        Assert.NotNull(health.Stall());
    }

    [Fact]
    public void A_bridge_that_leaves_a_pack_update_unpublished_is_stalled_after_the_limit()
    {
        var health = Create();
        health.BrokerTurned(connected: true);

        for (var i = 0; i < 82; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            health.BusTurned(); // polls keep coming; the bridge never goes round again
        }

        Assert.Equal("the MQTT bridge loop has left a pack update unpublished for 81 s", health.Stall());
        health.BrokerTurned(connected: true);
        Assert.Null(health.Stall());
    }

    [Fact]
    public void A_bridge_with_nothing_to_publish_is_idle_not_stalled()
    {
        var health = Create();
        health.BusTurned();
        health.BrokerTurned(connected: true);
        _busMayBeQuiet = true; // the adapter is unplugged: no polls, so nothing for the bridge

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Null(health.Stall());
    }
}
