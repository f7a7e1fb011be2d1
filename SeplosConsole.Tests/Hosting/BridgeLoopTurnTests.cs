using System.Threading.Channels;
using SeplosConsole.Mqtt;
using SeplosConsole.Tests.Mqtt;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.Hosting;

/// <summary>
/// <see cref="MqttBridge.LoopTurned"/>, the hook the systemd watchdog reads: it fires after each
/// publish pass while connected and at each connection attempt while the broker is away.
/// </summary>
public sealed class BridgeLoopTurnTests(ITestOutputHelper output)
{
    /// <summary>Every turn of the loop, with the connection state it turned in (read on the loop's task).</summary>
    private static ChannelReader<MqttConnectionState> Turns(RunningBridge bridge)
    {
        var turns = Channel.CreateUnbounded<MqttConnectionState>();
        bridge.Bridge.LoopTurned += (_, _) => turns.Writer.TryWrite(bridge.Bridge.Status.State);
        return turns.Reader;
    }

    /// <summary>Awaits the next turn that <paramref name="counts"/>; the deadline only bounds a failure.</summary>
    private static async Task NextTurnAsync(ChannelReader<MqttConnectionState> turns, Func<MqttConnectionState, bool> counts, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            while (!counts(await turns.ReadAsync(deadline.Token)))
            {
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Assert.Fail($"not {what} within 15 s");
        }
    }

    [Fact]
    public async Task The_loop_turns_after_publishing_each_pack_update_while_connected()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var probe = await MqttProbe.ConnectAsync(broker);
        var feed = new FakePackFeed(TestPacks.Status(0));
        await using var bridge = new RunningBridge(RunningBridge.Options(broker), feed, output: output);
        var turns = Turns(bridge);
        await probe.WaitForAsync("seplos/battery_0/state", "online");

        for (var i = 1; i <= 3; i++)
        {
            // Only turns from here on count for this update.
            while (turns.TryRead(out _))
            {
            }
            var mark = probe.Mark;
            var temperature = 20.0 + i;
            feed.Update(TestPacks.Status(0, TestPacks.Snapshot(0, new Dictionary<string, double> { ["environment_temp"] = temperature })));
            await probe.WaitForAsync("seplos/battery_0/environment_temp", temperature.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), after: mark);
            await NextTurnAsync(turns, state => state == MqttConnectionState.Connected, $"a turn after update {i}");
        }
    }

    [Fact]
    public async Task The_loop_turns_at_each_connection_attempt_while_the_broker_is_away()
    {
        int port;
        await using (var gone = await MosquittoBroker.StartAsync())
        {
            port = gone.Port;
        }
        var options = new MqttOptions
        {
            Server = "127.0.0.1",
            Port = port,
            MinReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
            ConnectTimeout = TimeSpan.FromSeconds(2),
        };
        await using var bridge = new RunningBridge(options, new FakePackFeed(TestPacks.Status(0)), output: output);
        var turns = Turns(bridge);

        for (var i = 1; i <= 3; i++)
        {
            await NextTurnAsync(turns, _ => true, $"turn {i} of three while refused");
        }

        Assert.NotEqual(MqttConnectionState.Connected, bridge.Bridge.Status.State);
    }
}
