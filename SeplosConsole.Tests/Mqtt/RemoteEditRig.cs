using MQTTnet;
using MQTTnet.Protocol;
using SeplosConsole.Mqtt;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Services.Writes;
using SeplosConsole.Simulation;
using SeplosConsole.Tests.Bus;
using SeplosConsole.Tests.Support;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>A bridge on the simulator wired as `seplos mqtt` wires it, and a dashboard's feed from the broker.</summary>
internal sealed class RemoteEditRig : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly InProcessSimulatorTransport _transport = InProcessSimulatorTransport.Create(new SimulatorOptions());
    private readonly List<(BrokerFeed Feed, Task Running)> _feeds = [];
    private readonly List<RemoteWriteClient> _viewers = [];
    private readonly string _folder = TempDirectory.Create();
    private RtuClient? _rtu;
    private Task? _polling;

    /// <summary>The one key the bridge allows when writes are on.</summary>
    public const string Key = "soc_low_alarm";

    public required MosquittoBroker Broker { get; init; }
    public RunningBridge Bridge { get; private set; } = null!;
    public BrokerFeed Feed => _feeds[0].Feed;
    public SimulatedPack Pack => _transport.Simulator.Pack(0);
    public WriteJournal BridgeJournal => new(Path.Combine(_folder, "bridge.jsonl"));
    public WriteJournal ViewerJournal => new(Path.Combine(_folder, "viewer.jsonl"));

    public static async Task<RemoteEditRig> StartAsync(ITestOutputHelper output, bool allowWrites)
    {
        var rig = new RemoteEditRig { Broker = await MosquittoBroker.StartAsync() };
        rig._rtu = new RtuClient(rig._transport, new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(300), Retries = 1 });
        var poller = new BusPoller(new SeplosClient(rig._rtu), new PollerOptions { Interval = TimeSpan.FromMilliseconds(300) });
        var queue = new ParameterWriteQueue(poller, rig.BridgeJournal);
        rig._polling = poller.RunAsync(rig._stop.Token);
        rig.Bridge = new RunningBridge(RunningBridge.Options(rig.Broker) with { AllowWrites = allowWrites, WriteAllowList = [Key] }, poller, new WriteQueueHandler(queue), output);
        await rig.AddFeedAsync(allowWrites);
        return rig;
    }

    public RemoteWriteClient Viewer(TimeSpan? answerTimeout = null) => AddViewer(Feed, answerTimeout);

    /// <summary>Another dashboard on its own connection (its own client id, response topic and journal).</summary>
    public async Task<RemoteWriteClient> SecondViewerAsync() => AddViewer(await AddFeedAsync(writesExpected: true), null, "viewer2.jsonl");

    private RemoteWriteClient AddViewer(BrokerFeed feed, TimeSpan? answerTimeout, string journal = "viewer.jsonl")
    {
        var viewer = new RemoteWriteClient(feed, new WriteJournal(Path.Combine(_folder, journal))) { AnswerTimeout = answerTimeout ?? TimeSpan.FromSeconds(15) };
        _viewers.Add(viewer);
        return viewer;
    }

    private async Task<BrokerFeed> AddFeedAsync(bool writesExpected)
    {
        var (options, prefixes, _) = BrokerAddress.Parse($"mqtt://{Broker.Host}:{Broker.Port}/seplos", null);
        var feed = new BrokerFeed(options!, prefixes);
        _feeds.Add((feed, feed.RunAsync(_stop.Token)));
        // Ready when the pack is live with its parameters and, with writes on, the bridge's allow-list.
        await FeedWaits.UntilAsync(feed, packs => packs.Count == 1 && packs[0].State == PackLinkState.Online && packs[0].Snapshot.Has(BlockId.Spa)
            && !feed.IsLinkDown && (feed.Remote(0)!.Value.WriteKeys.Count > 0) == writesExpected, "pack 0 on the viewer");
        // The feed subscribes to its answers when it connects; a snapshot arriving proves the subscription is in place.
        return feed;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var viewer in _viewers)
        {
            viewer.Dispose();
        }
        await Bridge.DisposeAsync();
        await _stop.CancelAsync();
        foreach (var (_, running) in _feeds)
        {
            await running.WaitAsync(TimeSpan.FromSeconds(10));
        }
        if (_polling is not null)
        {
            await _polling.WaitAsync(TimeSpan.FromSeconds(10));
        }
        if (_rtu is not null)
        {
            await _rtu.DisposeAsync();
        }
        await Broker.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>Records every command on the broker with its MQTT 5 properties (MqttProbe keeps only topic, payload and retain).</summary>
internal sealed class CommandSpy : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly List<MqttApplicationMessage> _received = [];
    private readonly TaskCompletionSource _marker = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<MqttApplicationMessage> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public static async Task<CommandSpy> StartAsync(MosquittoBroker broker)
    {
        var spy = new CommandSpy();
        spy._client.ApplicationMessageReceivedAsync += e =>
        {
            lock (spy._received)
            {
                spy._received.Add(e.ApplicationMessage);
            }
            if (e.ApplicationMessage.Topic.EndsWith("/marker/set", StringComparison.Ordinal))
            {
                spy._marker.TrySetResult();
            }
            return Task.CompletedTask;
        };
        await spy._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId("spy-" + Guid.NewGuid().ToString("N")[..8]).WithTimeout(TimeSpan.FromSeconds(5)).Build());
        // Retain as published: the spy sees the retain flag the sender set.
        await spy._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("+/+/+/set", MqttQualityOfServiceLevel.AtLeastOnce, noLocal: false, retainAsPublished: true, MqttRetainHandling.SendAtSubscribe).Build());
        return spy;
    }

    /// <summary>Publishes a command of its own and waits until it comes back: everything sent before it has arrived.</summary>
    public async Task PublishMarkerAsync()
    {
        await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("seplos/battery_0/marker/set").WithPayload("marker").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await _marker.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisconnectAsync();
        _client.Dispose();
    }
}
