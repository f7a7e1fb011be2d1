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
    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not {what} within 15 s");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task The_loop_turns_after_publishing_each_pack_update_while_connected()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var probe = await MqttProbe.ConnectAsync(broker);
        var feed = new FakePackFeed(TestPacks.Status(0));
        await using var bridge = new RunningBridge(RunningBridge.Options(broker), feed, output: output);
        var connectedTurns = 0;
        bridge.Bridge.LoopTurned += (_, _) =>
        {
            if (bridge.Bridge.Status.State == MqttConnectionState.Connected)
            {
                Interlocked.Increment(ref connectedTurns);
            }
        };
        await probe.WaitForAsync("seplos/battery_0/state", "online");

        for (var i = 1; i <= 3; i++)
        {
            var before = Volatile.Read(ref connectedTurns);
            var mark = probe.Mark;
            var temperature = 20.0 + i;
            feed.Update(TestPacks.Status(0, TestPacks.Snapshot(0, new Dictionary<string, double> { ["environment_temp"] = temperature })));
            await probe.WaitForAsync("seplos/battery_0/environment_temp", temperature.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), after: mark);
            await UntilAsync(() => Volatile.Read(ref connectedTurns) > before, $"a turn after update {i}");
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
        var turns = 0;
        bridge.Bridge.LoopTurned += (_, _) => Interlocked.Increment(ref turns);

        await UntilAsync(() => Volatile.Read(ref turns) >= 3, "three turns while refused");

        Assert.NotEqual(MqttConnectionState.Connected, bridge.Bridge.Status.State);
    }
}
