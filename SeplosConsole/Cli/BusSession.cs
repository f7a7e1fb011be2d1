using SeplosConsole.Config;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Transport;

namespace SeplosConsole.Cli;

/// <summary>One open link to the bus for a command: transport → RTU client → Seplos client.</summary>
public sealed class BusSession : IAsyncDisposable
{
    private BusSession(SeplosSettings settings, RtuClient rtu)
    {
        Settings = settings;
        Rtu = rtu;
        Client = new SeplosClient(rtu);
    }

    public SeplosSettings Settings { get; }
    public RtuClient Rtu { get; }
    public SeplosClient Client { get; }

    public static async Task<BusSession> OpenAsync(SeplosSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Listen)
        {
            // One-shot commands ask the pack; listen mode never transmits.
            throw new CliException("listen mode never transmits, and this command has to ask the pack: "
                + "use the dashboard (`seplos --listen`) or `seplos --listen mqtt`, or connect to the pack on a separate port");
        }
        if (Mqtt.BrokerAddress.IsBroker(settings.Port))
        {
            throw new CliException($"{settings.Port} is a broker: only the dashboard reads packs from it so far (`seplos --port {settings.Port}`); this command needs the bus");
        }
        var rtu = TransportFactory.CreateClient(settings);
        try
        {
            await rtu.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await rtu.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new BusSession(settings, rtu);
    }

    /// <summary>Reads the given blocks of one pack into a snapshot; optional blocks the pack refuses are left out.</summary>
    public async Task<PackSnapshot> ReadAsync(byte address, IEnumerable<BlockId> blocks, CancellationToken cancellationToken, IEnumerable<BlockId>? optional = null)
    {
        var snapshot = PackSnapshot.Empty(address);
        snapshot = await Client.ReadAsync(snapshot, blocks.Distinct(), cancellationToken).ConfigureAwait(false);
        foreach (var block in optional ?? [])
        {
            try
            {
                snapshot = snapshot.With(await Client.ReadBlockAsync(address, block, cancellationToken).ConfigureAwait(false));
            }
            catch (PackRefusedException)
            {
                // Only the master of a parallel system answers EIA/EIB/EIC.
            }
        }
        return snapshot;
    }

    public ValueTask DisposeAsync() => Rtu.DisposeAsync();
}
