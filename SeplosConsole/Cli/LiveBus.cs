using SeplosConsole.Config;
using SeplosConsole.Mqtt;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Services.Recording;
using SeplosConsole.Services.Writes;
using SeplosConsole.Transport;

namespace SeplosConsole.Cli;

/// <summary>
/// The bus for the long-running front ends (dashboard, MQTT bridge): transport → RTU client →
/// poller with the write queue beside it; or, in listen mode, a listener that never transmits
/// (and no write queue). The feed owns the bus until the token stops it.
/// </summary>
public sealed class LiveBus : IAsyncDisposable
{
    private readonly RtuClient? _rtu;
    private readonly ListenFeed? _listener;
    private readonly ReplayFeed? _replay;
    private readonly BrokerFeed? _broker;
    private FeedRecorder? _recorder;

    private LiveBus(SeplosSettings settings, RtuClient rtu)
    {
        Settings = settings;
        _rtu = rtu;
        Poller = new BusPoller(new SeplosClient(rtu), new PollerOptions
        {
            Addresses = settings.Addresses,
            Interval = settings.PollInterval,
            ReadSystemBlocks = settings.ReadSystemBlocks,
        });
        Feed = Poller;
        Writes = new ParameterWriteQueue(Poller, new WriteJournal(settings.JournalPath));
    }

    private LiveBus(SeplosSettings settings, BrokerFeed broker)
    {
        Settings = settings;
        _broker = broker;
        Feed = broker;
    }

    private LiveBus(SeplosSettings settings, ListenFeed listener)
    {
        Settings = settings;
        _listener = listener;
        Feed = listener;
    }

    private LiveBus(SeplosSettings settings, ReplayFeed replay)
    {
        Settings = settings;
        _replay = replay;
        Feed = replay;
    }

    public SeplosSettings Settings { get; }
    public IPackFeed Feed { get; }
    /// <summary>Null in listen mode.</summary>
    public BusPoller? Poller { get; }
    /// <summary>Null in listen mode: nothing is ever written.</summary>
    public ParameterWriteQueue? Writes { get; }

    /// <summary>Why writes are refused when <see cref="Writes"/> is null.</summary>
    public string WritesRefusedReason => _replay is not null ? ReplayFeed.WritesRefusedReason
        : _broker is not null ? BrokerFeed.WritesRefusedReason : ListenFeed.WritesRefusedReason;

    /// <summary>
    /// The dashboard's editor: the write queue on our own bus; commands to the bridge that owns the
    /// pack when fed from a broker (<see cref="RemoteWriteClient"/>); otherwise every edit is refused
    /// with the reason. All of them journal every attempt.
    /// </summary>
    public Tui.IParameterEditor DashboardEditor() => Writes is not null ? new Tui.QueueParameterEditor(Writes)
        : _broker is not null ? new RemoteWriteClient(_broker, new WriteJournal(Settings.JournalPath))
        : new Tui.RefusingParameterEditor(WritesRefusedReason, new WriteJournal(Settings.JournalPath), Settings.Port);

    /// <summary>
    /// For a status line: "REC" while recording ("REC stopped" after a failed write), "end of
    /// recording" when a replay is over; null otherwise.
    /// </summary>
    public string? RecordingStatus => _recorder is not null ? (_recorder.IsRecording ? "REC" : "REC stopped")
        : _replay is not null ? (_replay.Finished ? "end of recording" : "") : null;

    public static LiveBus Create(SeplosSettings settings)
    {
        // Every pack heard is shown; the packs the user named are listed (as connecting) from the start.
        var shown = settings.AddressesChosen ? settings.Addresses : [];
        var bus = settings.ReplayFile is { } replay ? new LiveBus(settings, new ReplayFeed(replay, settings.ReplaySpeed, shown))
            // What bridges publish on a broker: no serial port, no bus of our own to write on.
            : Mqtt.BrokerAddress.IsBroker(settings.Port) ? new LiveBus(settings, RemoteBus.CreateFeed(settings))
            : settings.Listen ? new LiveBus(settings, new ListenFeed(TransportFactory.Create(settings), new ListenOptions { Addresses = shown }))
            : new LiveBus(settings, TransportFactory.CreateClient(settings));
        bus._recorder = RecordingSetup.Start(settings, bus.Feed, bus.Report);
        return bus;
    }

    public Task RunAsync(CancellationToken cancellationToken)
        => _replay?.RunAsync(cancellationToken) ?? _broker?.RunAsync(cancellationToken) ?? _listener?.RunAsync(cancellationToken) ?? Poller!.RunAsync(cancellationToken);

    /// <summary>A line for the feed's log (the dashboard's log pane), from outside the bus.</summary>
    public void Report(BusEventLevel level, string message)
    {
        Poller?.Report(level, message);
        _listener?.Report(level, message);
        _replay?.Report(level, message);
    }

    public async ValueTask DisposeAsync()
    {
        if (_recorder is not null)
        {
            await _recorder.DisposeAsync().ConfigureAwait(false);
        }
        if (_rtu is not null)
        {
            await _rtu.DisposeAsync().ConfigureAwait(false);
        }
        if (_listener is not null)
        {
            await _listener.Listener.Transport.DisposeAsync().ConfigureAwait(false);
        }
    }
}
