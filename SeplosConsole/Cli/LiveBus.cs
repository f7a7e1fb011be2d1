using SeplosConsole.Config;
using SeplosConsole.Mqtt;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
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
    private readonly BrokerFeed? _broker;

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

    public SeplosSettings Settings { get; }
    public IPackFeed Feed { get; }
    /// <summary>Null in listen mode.</summary>
    public BusPoller? Poller { get; }
    /// <summary>Null in listen mode: nothing is ever written.</summary>
    public ParameterWriteQueue? Writes { get; }

    public static LiveBus Create(SeplosSettings settings)
        => Mqtt.BrokerAddress.IsBroker(settings.Port)
            // What bridges publish on a broker: no serial port, no bus of our own to write on.
            ? new(settings, RemoteBus.CreateFeed(settings))
            : settings.Listen
            // Every pack heard is shown; the packs the user named are listed (as connecting) from the start.
            ? new(settings, new ListenFeed(TransportFactory.Create(settings), new ListenOptions { Addresses = settings.AddressesChosen ? settings.Addresses : [] }))
            : new(settings, TransportFactory.CreateClient(settings));

    public Task RunAsync(CancellationToken cancellationToken)
        => _broker?.RunAsync(cancellationToken) ?? _listener?.RunAsync(cancellationToken) ?? Poller!.RunAsync(cancellationToken);

    /// <summary>A line for the feed's log (the dashboard's log pane), from outside the bus.</summary>
    public void Report(BusEventLevel level, string message)
    {
        Poller?.Report(level, message);
        _listener?.Report(level, message);
    }

    public async ValueTask DisposeAsync()
    {
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
