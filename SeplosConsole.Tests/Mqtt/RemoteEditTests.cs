using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using SeplosConsole.Mqtt;
using SeplosConsole.Services;
using SeplosConsole.Services.Writes;
using SeplosConsole.Tests.Bus;
using SeplosConsole.Tests.Support;
using SeplosConsole.Tui;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>
/// Issue 15, remote edits: a dashboard fed from a real mosquitto edits a parameter through the
/// bridge that owns the bus (a real <see cref="MqttBridge"/> on the in-process simulator, with the
/// write queue and journal the `seplos mqtt` command wires), and hears back how it ended.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class RemoteEditTests(ITestOutputHelper output)
{
    private const string Key = RemoteEditRig.Key;

    [Fact]
    public async Task A_remote_edit_is_written_on_the_bus_owner_journaled_on_both_sides_and_shown_confirmed()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        await using var commands = await CommandSpy.StartAsync(rig.Broker);
        var viewer = rig.Viewer();
        Assert.Equal(5.0, rig.Pack.Value(Key));

        var preparation = await viewer.PrepareAsync(0, Key, "6", CancellationToken.None);
        Assert.False(preparation.IsRefused, preparation.RefusalReason);
        Assert.Contains("5.0 % → 6.0 % (register 0x1355 raw 50 → raw 60) via bridge seplos", preparation.PlanText);
        var result = await viewer.ApplyAsync(preparation, CancellationToken.None);

        Assert.Equal(EditOutcome.Confirmed, result.Outcome);
        Assert.EndsWith("5.0 % → 6.0 % (register 0x1355 raw 50 → raw 60): bridge seplos: read back equal", result.Message);
        Assert.Equal(6.0, rig.Pack.Value(Key));
        // The viewer sees the new value in the bridge's next reading (the write queue refreshes SPA).
        await FeedWaits.UntilAsync(rig.Feed, packs => packs.Single().Snapshot.Value(Key) == 6.0, "the new value on the viewer");

        // Viewer: requested, then the answer. Bridge: sending before the write, then the read-back.
        var viewerLines = rig.ViewerJournal.Read();
        var bridgeLines = rig.BridgeJournal.Read();
        Assert.Equal(["sending", "confirmed"], viewerLines.Select(e => e.Result));
        Assert.Equal(["sending", "confirmed"], bridgeLines.Select(e => e.Result));
        Assert.All(viewerLines, e => Assert.Equal(RemoteWriteClient.Source, e.Source));
        Assert.All(bridgeLines, e => Assert.Equal(WriteQueueHandler.Source, e.Source));
        // One request id ties the two records together.
        var id = viewerLines[0].RequestId;
        Assert.False(string.IsNullOrEmpty(id));
        Assert.All(viewerLines.Concat(bridgeLines), e => Assert.Equal(id, e.RequestId));
        Assert.All(viewerLines.Concat(bridgeLines), e => Assert.Equal((50L, 60L), (e.OldRaw!.Value, e.NewRaw!.Value)));
        Assert.StartsWith($"mqtt://{rig.Broker.Host}:{rig.Broker.Port}/seplos", viewerLines[0].Port);

        // The command as it went over the broker: never retained, expiring, with the answer's route
        // and the write the person confirmed.
        await commands.PublishMarkerAsync();
        var command = Assert.Single(commands.Received, m => !m.Topic.Contains("marker", StringComparison.Ordinal));
        Assert.Equal($"seplos/battery_0/{Key}/set", command.Topic);
        Assert.Equal("6.0", command.ConvertPayloadToString());
        Assert.False(command.Retain);
        Assert.Equal(15u, command.MessageExpiryInterval);
        Assert.Equal(rig.Feed.ResponseTopic("seplos"), command.ResponseTopic);
        Assert.Equal(id, System.Text.Encoding.UTF8.GetString(command.CorrelationData));
        Assert.Equal("50", command.UserProperties.Single(p => p.Name == RemoteWriteRequest.ExpectedOldRawProperty).ReadValueAsString());
        Assert.Equal("60", command.UserProperties.Single(p => p.Name == RemoteWriteRequest.NewRawProperty).ReadValueAsString());
    }

    [Fact]
    public async Task Remote_edits_one_after_another_are_each_answered_well_within_the_deadline()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        var viewer = rig.Viewer();
        var times = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var value = i % 2 == 0 ? "6" : "5";
            // Each edit checks against the bridge's reading: wait until it shows the previous write.
            await FeedWaits.UntilAsync(rig.Feed, packs => packs.Single().Snapshot.Value(Key) == (i % 2 == 0 ? 5.0 : 6.0), "the previous value on the viewer");
            var preparation = await viewer.PrepareAsync(0, Key, value, CancellationToken.None);
            Assert.False(preparation.IsRefused, preparation.RefusalReason);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = await viewer.ApplyAsync(preparation, CancellationToken.None);
            times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Assert.Equal(EditOutcome.Confirmed, result.Outcome);
        }
        times.Sort();
        output.WriteLine($"request → answer, 10 remote edits: median {times[5]:0} ms, max {times[^1]:0} ms, all: {string.Join(", ", times.Select(t => t.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))}");
        // The deadline the viewer gives the bridge is 15 s; on a loopback broker a write takes one bus slot.
        Assert.True(times[^1] < 5000, $"slowest answer {times[^1]:0} ms");
        Assert.Equal(20, rig.BridgeJournal.Read().Count);
    }

    [Fact]
    public async Task A_bridge_without_allow_writes_is_named_as_the_reason_and_nothing_is_sent()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: false);
        await using var commands = await CommandSpy.StartAsync(rig.Broker);
        var viewer = rig.Viewer();

        var preparation = await viewer.PrepareAsync(0, Key, "6", CancellationToken.None);

        Assert.True(preparation.IsRefused);
        Assert.Equal("bridge seplos does not accept writes (allow_writes is off there)", preparation.RefusalReason);
        Assert.Equal(preparation.RefusalReason, viewer.WhyNotWritable(0, Key));
        var line = Assert.Single(rig.ViewerJournal.Read());
        Assert.Equal(("refused", Key, "0x1355"), (line.Result, line.Key, line.Register));
        Assert.Empty(rig.BridgeJournal.Read());
        Assert.Equal(5.0, rig.Pack.Value(Key));
        // Nothing reached the broker: a plain "/set" sent now is the only command the spy sees.
        await commands.PublishMarkerAsync();
        Assert.Equal(["marker"], commands.Received.Select(m => m.ConvertPayloadToString()));
    }

    [Fact]
    public async Task A_key_outside_the_bridges_allow_list_or_the_map_is_refused_with_the_reason_before_sending()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        var viewer = rig.Viewer();

        var notAllowed = await viewer.PrepareAsync(0, "cell_high_voltage_alarm", "3.45", CancellationToken.None);
        var unknown = await viewer.PrepareAsync(0, "charge_mosfet", "0", CancellationToken.None);
        var noPack = await viewer.PrepareAsync(7, Key, "6", CancellationToken.None);

        Assert.Equal($"cell_high_voltage_alarm is not in the write_allow_list of bridge seplos (it accepts: {Key})", notAllowed.RefusalReason);
        Assert.NotNull(unknown.RefusalReason);
        Assert.Equal("no pack 7 on the broker", noPack.RefusalReason);
        Assert.Equal(["refused", "refused", "refused"], rig.ViewerJournal.Read().Select(e => e.Result));
        Assert.Empty(rig.BridgeJournal.Read());
    }

    [Fact]
    public async Task The_viewer_refuses_what_the_pipeline_refuses_against_the_bridges_reading()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        var viewer = rig.Viewer();

        var tooLarge = await viewer.PrepareAsync(0, Key, "7.5", CancellationToken.None);
        var outOfRange = await viewer.PrepareAsync(0, Key, "150", CancellationToken.None);

        Assert.Contains("more than 20 %", tooLarge.RefusalReason);
        Assert.Contains("outside the safe range", outOfRange.RefusalReason);
        Assert.Empty(rig.BridgeJournal.Read());
    }

    [Fact]
    public async Task The_bridge_checks_again_and_refuses_a_write_over_a_value_the_person_did_not_see()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        var viewer = rig.Viewer();
        var preparation = await viewer.PrepareAsync(0, Key, "6", CancellationToken.None);
        Assert.False(preparation.IsRefused, preparation.RefusalReason);

        // Between the viewer's check and the command the pack changes (someone at the pack, another viewer).
        rig.Pack.SetParameter(Key, 5.5);
        var result = await viewer.ApplyAsync(preparation, CancellationToken.None);

        Assert.Equal(EditOutcome.Refused, result.Outcome);
        Assert.Contains("pack 0 holds 5.5 % now, not the 5.0 % the dashboard showed; nothing written", result.Message);
        Assert.Equal(5.5, rig.Pack.Value(Key));
        Assert.Equal(["sending", "refused"], rig.ViewerJournal.Read().Select(e => e.Result));
        // The bridge journaled its refusal too (the pipeline's "not confirmed" at its confirmation step).
        Assert.Equal(["cancelled"], rig.BridgeJournal.Read().Select(e => e.Result));
    }

    [Fact]
    public async Task Two_viewers_writing_at_once_are_served_one_after_the_other_and_the_second_sees_the_first()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        var (first, second) = (rig.Viewer(), await rig.SecondViewerAsync());
        var firstPlan = await first.PrepareAsync(0, Key, "6", CancellationToken.None);
        var secondPlan = await second.PrepareAsync(0, Key, "5.5", CancellationToken.None);

        var results = await Task.WhenAll(first.ApplyAsync(firstPlan, CancellationToken.None), second.ApplyAsync(secondPlan, CancellationToken.None));

        // The bridge's queue runs one command at a time: the one that came second finds the value
        // the first one wrote, which its person never saw, and is refused.
        Assert.Equal(1, results.Count(r => r.Outcome == EditOutcome.Confirmed));
        var refused = Assert.Single(results, r => r.Outcome == EditOutcome.Refused);
        Assert.Contains("not the 5.0 % the dashboard showed", refused.Message);
        Assert.Equal(results[0].Outcome == EditOutcome.Confirmed ? 6.0 : 5.5, rig.Pack.Value(Key));
        Assert.Equal(["sending", "confirmed", "cancelled"], rig.BridgeJournal.Read().Select(e => e.Result));
    }

    [Fact]
    public async Task A_bridge_that_stops_after_the_confirmation_gives_no_answer_and_the_viewer_says_check_the_register()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        var viewer = rig.Viewer(answerTimeout: TimeSpan.FromSeconds(2));
        var preparation = await viewer.PrepareAsync(0, Key, "6", CancellationToken.None);
        Assert.False(preparation.IsRefused, preparation.RefusalReason);

        await rig.Bridge.StopAsync();
        var result = await viewer.ApplyAsync(preparation, CancellationToken.None);

        Assert.Equal(EditOutcome.NotConfirmed, result.Outcome);
        Assert.Contains("no answer — check the register", result.Message);
        Assert.Contains("did not answer within 2 s", result.Message);
        Assert.Equal(["sending", "not_confirmed"], rig.ViewerJournal.Read().Select(e => e.Result));
        Assert.Equal(5.0, rig.Pack.Value(Key));
        // Once the bridge is gone the viewer says so before anything is sent.
        await FeedWaits.UntilAsync(rig.Feed, packs => packs.Single().State == PackLinkState.Stale, "the pack stale");
        Assert.Equal("pack 0 is stale: bridge seplos is offline; a remote edit needs a live reading from its bridge", viewer.WhyNotWritable(0, Key));
    }

    [Fact]
    public async Task An_answer_that_cannot_be_read_is_not_reported_as_a_command_that_never_arrived()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        var viewer = rig.Viewer(answerTimeout: TimeSpan.FromSeconds(10));
        var preparation = await viewer.PrepareAsync(0, Key, "6", CancellationToken.None);
        Assert.False(preparation.IsRefused, preparation.RefusalReason);
        await rig.Bridge.StopAsync();
        // Stands in for a bridge: it takes the command and answers with something that is not an answer.
        using var bridge = new MqttClientFactory().CreateMqttClient();
        bridge.ApplicationMessageReceivedAsync += e => bridge.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(e.ApplicationMessage.ResponseTopic)
            .WithPayload("not json").WithCorrelationData(e.ApplicationMessage.CorrelationData).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await bridge.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(rig.Broker.Host, rig.Broker.Port).WithClientId("garbled-bridge").WithTimeout(TimeSpan.FromSeconds(5)).Build());
        await bridge.SubscribeAsync($"seplos/battery_0/{Key}/set", MqttQualityOfServiceLevel.AtLeastOnce);

        var result = await viewer.ApplyAsync(preparation, CancellationToken.None);

        Assert.Equal(EditOutcome.NotConfirmed, result.Outcome);
        Assert.Contains("bridge seplos answered, but its answer could not be read", result.Message);
        Assert.DoesNotContain("may not have reached", result.Message);
        Assert.Contains("check the register", result.Message);
        Assert.Equal(["sending", "not_confirmed"], rig.ViewerJournal.Read().Select(e => e.Result));
        await bridge.DisconnectAsync();
    }

    [Fact]
    public async Task A_plain_set_without_a_response_topic_is_answered_only_on_the_result_topic_as_before()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        await using var probe = await MqttProbe.ConnectAsync(rig.Broker);
        var mark = probe.Mark;

        await probe.PublishAsync($"seplos/battery_0/{Key}/set", "6");
        var answer = MqttProbe.Json(await probe.WaitForAsync(m => m.Topic == $"seplos/battery_0/{Key}/result", "the result", after: mark));

        Assert.Equal("confirmed", (string?)answer["result"]);
        Assert.DoesNotContain(probe.Messages.Skip(mark), m => m.Topic.Contains("/viewer/", StringComparison.Ordinal));
        Assert.All(rig.BridgeJournal.Read(), e => Assert.Null(e.RequestId));
    }

    [Fact]
    public async Task A_request_older_than_the_bridge_accepts_is_answered_refused_at_once_not_left_waiting()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        await using var requester = await Requester.ConnectAsync(rig.Broker, "old-request");

        // A request a minute old (a viewer whose command sat somewhere): past the bridge's 30 s limit.
        await requester.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"seplos/battery_0/{Key}/set").WithPayload("6.0")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithResponseTopic(requester.ResponseTopic)
            .WithCorrelationData("r-1"u8.ToArray())
            .WithUserProperty(RemoteWriteRequest.SentAtProperty, new ReadOnlyMemory<byte>(System.Text.Encoding.UTF8.GetBytes(DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture))))
            .Build());
        var received = await requester.Answer.WaitAsync(TimeSpan.FromSeconds(10));

        var (result, error) = RemoteWriteResult.Parse(received.ConvertPayloadToString());
        Assert.Null(error);
        Assert.Equal(("r-1", MqttWriteOutcome.Refused), (result!.RequestId, result.Outcome));
        Assert.Equal("r-1", System.Text.Encoding.UTF8.GetString(received.CorrelationData));
        Assert.False(received.Retain);
        Assert.Contains("s ago (more than 30 s); nothing written", result.Reason);
        Assert.Equal(5.0, rig.Pack.Value(Key));
    }

    [Fact]
    public async Task A_request_whose_expiry_passes_in_the_bridges_queue_is_refused_not_written_late()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var handler = new GatedWriteHandler();
        await using var bridge = new RunningBridge(RunningBridge.Options(broker) with { AllowWrites = true, WriteAllowList = [Key] },
            new FakePackFeed(TestPacks.Status(0)), handler, output);
        // The broker logs each subscription: commands are listened to from here on.
        await broker.WaitForLogAsync(l => l.Contains($"seplos/+/{Key}/set", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await using var requester = await Requester.ConnectAsync(broker, "late-request");

        // A write from Home Assistant holds the bridge's queue (the bus is busy with it) …
        await requester.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"seplos/battery_0/{Key}/set").WithPayload("6").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await handler.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // … while a dashboard's request that expires in 1 s waits behind it.
        await requester.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"seplos/battery_0/{Key}/set").WithPayload("5.5")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithMessageExpiryInterval(1)
            .WithResponseTopic(requester.ResponseTopic).WithCorrelationData("r-2"u8.ToArray()).Build());
        // The passing of the expiry is what is tested: the queue is held past it.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        handler.Release.SetResult();
        var received = await requester.Answer.WaitAsync(TimeSpan.FromSeconds(10));

        var (result, _) = RemoteWriteResult.Parse(received.ConvertPayloadToString());
        Assert.Equal(MqttWriteOutcome.Refused, result!.Outcome);
        Assert.Equal("the command expired while waiting at the bridge; nothing written", result.Reason);
        Assert.Equal(["6"], handler.Written);
    }

    [Fact]
    public async Task A_request_whose_expiry_passes_inside_the_write_pipeline_is_dropped_there_not_written_late()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        // The pipeline holds the command (the bus queue behind a poll) until its token says stop.
        var handler = new WaitingWriteHandler();
        await using var bridge = new RunningBridge(RunningBridge.Options(broker) with { AllowWrites = true, WriteAllowList = [Key] },
            new FakePackFeed(TestPacks.Status(0)), handler, output);
        await broker.WaitForLogAsync(l => l.Contains($"seplos/+/{Key}/set", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await using var requester = await Requester.ConnectAsync(broker, "expiring-request");

        await requester.Client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"seplos/battery_0/{Key}/set").WithPayload("5.5")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithMessageExpiryInterval(1)
            .WithResponseTopic(requester.ResponseTopic).WithCorrelationData("r-3"u8.ToArray()).Build());
        await handler.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var received = await requester.Answer.WaitAsync(TimeSpan.FromSeconds(10));

        var (result, _) = RemoteWriteResult.Parse(received.ConvertPayloadToString());
        Assert.Equal(MqttWriteOutcome.Refused, result!.Outcome);
        Assert.Equal("the command expired while waiting at the bridge; nothing written", result.Reason);
        Assert.True(handler.Stopped.Task.IsCompletedSuccessfully);
    }

    /// <summary>A pipeline that never gets to the bus: it waits until the command's token is cancelled.</summary>
    private sealed class WaitingWriteHandler : IMqttWriteHandler
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<MqttWriteResult> WriteAsync(byte address, string key, string value, CancellationToken cancellationToken)
            => throw new InvalidOperationException("only remote commands are sent in this test");

        public async Task<MqttWriteResult> WriteAsync(byte address, string key, string value, RemoteWriteRequest remote, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            using var stopped = cancellationToken.Register(Stopped.SetResult);
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return MqttWriteResult.Confirmed("written after its sender gave up");
        }
    }

    /// <summary>An MQTT 5 client that sends requests the way a script or dashboard may, and waits for the first answer.</summary>
    private sealed class Requester : IAsyncDisposable
    {
        private readonly TaskCompletionSource<MqttApplicationMessage> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Requester(string id) => ResponseTopic = $"seplos/viewer/{id}/result";

        public IMqttClient Client { get; } = new MqttClientFactory().CreateMqttClient();
        public string ResponseTopic { get; }
        public Task<MqttApplicationMessage> Answer => _answer.Task;

        public static async Task<Requester> ConnectAsync(MosquittoBroker broker, string id)
        {
            var requester = new Requester(id);
            requester.Client.ApplicationMessageReceivedAsync += e =>
            {
                requester._answer.TrySetResult(e.ApplicationMessage);
                return Task.CompletedTask;
            };
            await requester.Client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId(id).WithTimeout(TimeSpan.FromSeconds(5)).Build());
            await requester.Client.SubscribeAsync(requester.ResponseTopic, MqttQualityOfServiceLevel.AtLeastOnce);
            return requester;
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisconnectAsync();
            Client.Dispose();
        }
    }

    /// <summary>Holds the first write until released, as a slow bus would; records what it was asked to write.</summary>
    private sealed class GatedWriteHandler : IMqttWriteHandler
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public System.Collections.Concurrent.ConcurrentQueue<string> Written { get; } = new();

        public async Task<MqttWriteResult> WriteAsync(byte address, string key, string value, CancellationToken cancellationToken)
        {
            Written.Enqueue(value);
            Started.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return MqttWriteResult.Confirmed("written and read back");
        }

        public Task<MqttWriteResult> WriteAsync(byte address, string key, string value, RemoteWriteRequest remote, CancellationToken cancellationToken)
            => WriteAsync(address, key, value, cancellationToken);
    }

    [Fact]
    public void A_result_message_reads_back_what_was_written_and_a_bad_one_is_a_reason()
    {
        var result = new RemoteWriteResult("abc", "garage", 3, Key, 5.0, 6.0, "%", MqttWriteOutcome.Refused, "too large", DateTimeOffset.UnixEpoch);
        var json = result.Serialise();

        Assert.Contains("\"request_id\":\"abc\"", json);
        Assert.Contains("\"outcome\":\"refused\"", json);
        Assert.Equal(result, RemoteWriteResult.Parse(json).Result);
        foreach (var bad in new[] { "", "[]", "{\"outcome\":\"maybe\"}", "{\"outcome\":\"1\"}", "{\"outcome\":\"confirmed\",\"address\":300}" })
        {
            var (none, reason) = RemoteWriteResult.Parse(bad);
            Assert.Null(none);
            Assert.False(string.IsNullOrEmpty(reason), bad);
        }
    }
}
