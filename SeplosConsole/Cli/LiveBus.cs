using SeplosConsole.Config;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Services.Writes;
using SeplosConsole.Transport;

namespace SeplosConsole.Cli;

/// <summary>
/// The bus for the long-running front ends (dashboard, MQTT bridge): transport → RTU client →
/// poller, with the write queue beside it. The poller owns the bus until the token stops it.
/// </summary>
public sealed class LiveBus : IAsyncDisposable
{
    private LiveBus(SeplosSettings settings, RtuClient rtu)
    {
        Settings = settings;
        Rtu = rtu;
        Poller = new BusPoller(new SeplosClient(rtu), new PollerOptions
        {
            Addresses = settings.Addresses,
            Interval = settings.PollInterval,
            ReadSystemBlocks = settings.ReadSystemBlocks,
        });
        Writes = new ParameterWriteQueue(Poller, new WriteJournal(settings.JournalPath));
    }

    public SeplosSettings Settings { get; }
    public RtuClient Rtu { get; }
    public BusPoller Poller { get; }
    public ParameterWriteQueue Writes { get; }

    public static LiveBus Create(SeplosSettings settings)
        => new(settings, TransportFactory.CreateClient(settings));

    public Task RunAsync(CancellationToken cancellationToken) => Poller.RunAsync(cancellationToken);

    public ValueTask DisposeAsync() => Rtu.DisposeAsync();
}
