using System.Collections.Concurrent;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Services.Writes;
using SeplosConsole.Simulation;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Services;

/// <summary>The write queue beside a running poller, on the in-process simulator.</summary>
[Collection(TimingCollection.Name)]
public sealed class ParameterWriteQueueTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly InProcessSimulatorTransport _transport = InProcessSimulatorTransport.Create(new SimulatorOptions());
    private readonly RtuClient _rtu;
    private readonly BusPoller _poller;
    private readonly ParameterWriteQueue _queue;
    private readonly WriteJournal _journal = new(Path.Combine(TempDirectory.Create(), "journal.jsonl"));
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<QueuedWriteUpdate> _updates = new();
    private Task? _polling;

    public ParameterWriteQueueTests()
    {
        _rtu = new RtuClient(_transport, new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(150), Retries = 1 });
        _poller = new BusPoller(new SeplosClient(_rtu), new PollerOptions { Interval = TimeSpan.FromMilliseconds(200) });
        _queue = new ParameterWriteQueue(_poller, _journal);
        _queue.Changed += (_, update) => _updates.Enqueue(update);
    }

    private SimulatedPack Pack => _transport.Simulator.Pack(0);

    private async Task<PackStatus> StartPollingAsync()
    {
        var online = NextStatus(s => s.State == PackLinkState.Online);
        _polling = _poller.RunAsync(_stop.Token);
        return await online.WaitAsync(Timeout);
    }

    private Task<PackStatus> NextStatus(Func<PackStatus, bool> match)
    {
        var seen = new TaskCompletionSource<PackStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        _poller.PackUpdated += (_, status) =>
        {
            if (match(status))
            {
                seen.TrySetResult(status);
            }
        };
        return seen.Task;
    }

    [Fact]
    public async Task A_queued_write_runs_between_polls_reports_each_state_and_the_next_snapshot_shows_it()
    {
        await StartPollingAsync();
        var refreshed = NextStatus(s => s.Snapshot.Value("soc_low_alarm") == 6.0);

        var outcome = await _queue.EnqueueAsync(0, new ParameterWriteRequest("soc_low_alarm", "6", Source: "test"), Confirmations.Automatic, CancellationToken.None).WaitAsync(Timeout);
        var after = await refreshed.WaitAsync(Timeout);

        Assert.Equal(WriteResult.Confirmed, outcome.Result);
        Assert.Equal([QueuedWriteState.Queued, QueuedWriteState.Sent, QueuedWriteState.Confirmed], _updates.Select(u => u.State));
        Assert.Equal(6.0, Pack.Value("soc_low_alarm"));
        Assert.Equal(PackLinkState.Online, after.State);
        Assert.Equal(["sending", "confirmed"], _journal.Read().Select(e => e.Result));
    }

    [Fact]
    public async Task Polling_goes_on_while_writes_are_queued()
    {
        var previous = await StartPollingAsync();
        var polls = 0;
        _poller.PackUpdated += (_, _) => Interlocked.Increment(ref polls);

        foreach (var value in new[] { 6.0, 7.0, 6.0 })
        {
            var shown = NextStatus(s => s.Snapshot.Value("soc_low_alarm") == value);
            var outcome = await _queue.EnqueueAsync(0, new ParameterWriteRequest("soc_low_alarm", value.ToString(System.Globalization.CultureInfo.InvariantCulture)), Confirmations.Automatic, CancellationToken.None).WaitAsync(Timeout);
            Assert.Equal(WriteResult.Confirmed, outcome.Result);
            var status = await shown.WaitAsync(Timeout);
            Assert.NotNull(status.LastSuccess);
            Assert.True(status.LastSuccess > previous.LastSuccess, $"the poll showing {value} succeeded at {status.LastSuccess:O}, not after the previous pass's {previous.LastSuccess:O}");
            previous = status;
        }

        Assert.True(polls >= 3, $"only {polls} polls while writing");
    }

    [Fact]
    public async Task A_refused_write_is_reported_with_its_reason_and_changes_nothing()
    {
        await StartPollingAsync();

        var outcome = await _queue.EnqueueAsync(0, new ParameterWriteRequest("soc_low_alarm", "abc"), Confirmations.Automatic, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(QueuedWriteState.Refused, _updates.Last().State);
        Assert.Contains("not a number", outcome.Message);
        Assert.Equal(5.0, Pack.Value("soc_low_alarm"));
    }

    [Fact]
    public async Task A_write_to_a_pack_that_stops_answering_ends_failed_not_stuck()
    {
        await StartPollingAsync();
        _transport.Simulator.Faults.InjectAlways(SimulatedFault.NoReply);

        var outcome = await _queue.EnqueueAsync(0, new ParameterWriteRequest("soc_low_alarm", "6"), Confirmations.Automatic, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(WriteResult.Failed, outcome.Result);
        Assert.True(_updates.Last().IsFinal);
        Assert.Equal(5.0, Pack.Value("soc_low_alarm"));
    }

    [Fact]
    public async Task Prepare_shows_the_plan_without_writing()
    {
        await StartPollingAsync();

        var validation = await _queue.PrepareAsync(0, new ParameterWriteRequest("battery_low_voltage_alarm", "45V"), CancellationToken.None).WaitAsync(Timeout);

        Assert.True(validation.IsReady);
        Assert.Equal("battery_low_voltage_alarm: 46.40 V → 45.00 V (register 0x1307 raw 4640 → raw 4500)", validation.Plan!.Summary);
        Assert.Equal(46.4, Pack.Value("battery_low_voltage_alarm"));
        Assert.Empty(_journal.Read());
    }

    [Fact]
    public async Task A_dashboard_edit_declined_in_the_dialog_is_journaled_as_cancelled_and_not_written()
    {
        await StartPollingAsync();
        var editor = new SeplosConsole.Tui.QueueParameterEditor(_queue);

        var preparation = await editor.PrepareAsync(0, "soc_low_alarm", "6", CancellationToken.None).WaitAsync(Timeout);
        Assert.Empty(_journal.Read());
        await editor.CancelledAsync(preparation, CancellationToken.None).WaitAsync(Timeout);

        var entry = Assert.Single(_journal.Read());
        Assert.Equal(("cancelled", "tui", 60L), (entry.Result, entry.Source, entry.NewRaw));
        Assert.Equal(5.0, Pack.Value("soc_low_alarm"));
    }

    [Fact]
    public async Task A_dashboard_edit_refused_before_the_dialog_is_journaled_as_refused()
    {
        await StartPollingAsync();
        var editor = new SeplosConsole.Tui.QueueParameterEditor(_queue);

        var preparation = await editor.PrepareAsync(0, "soc_low_alarm", "abc", CancellationToken.None).WaitAsync(Timeout);

        Assert.True(preparation.IsRefused);
        var entry = Assert.Single(_journal.Read());
        Assert.Equal(("refused", "tui", "abc"), (entry.Result, entry.Source, entry.Requested));
    }

    [Fact]
    public async Task An_mqtt_command_the_bridge_refuses_is_journaled_even_for_a_pack_not_on_the_bus()
    {
        await StartPollingAsync();
        var handler = new SeplosConsole.Mqtt.WriteQueueHandler(_queue);

        var result = handler.Refused(7, "soc_low_alarm", "6", "no pack 7 on this bus");

        Assert.Equal(SeplosConsole.Mqtt.MqttWriteOutcome.Refused, result.Outcome);
        var entry = Assert.Single(_journal.Read());
        Assert.Equal(("refused", "mqtt", 7, "no pack 7 on this bus"), (entry.Result, entry.Source, entry.Address, entry.Reason));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_polling is not null)
        {
            await _polling.WaitAsync(Timeout);
        }
        await _rtu.DisposeAsync();
        _stop.Dispose();
    }
}
