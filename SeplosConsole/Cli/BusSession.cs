using System.Runtime.ExceptionServices;
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
        RefuseRecording(settings);
        if (Mqtt.BrokerAddress.IsBroker(settings.Port))
        {
            throw RemoteBus.NeedsTheBus(settings.Port);
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

    /// <summary>
    /// The pack's BMS serial for a write's journal (the address is a DIP switch, the serial is the
    /// pack); null when the pack refuses VIA or does not answer: the write pipeline itself then
    /// reports the silent pack, and journals it, so nothing is lost by not failing here.
    /// </summary>
    public async Task<string?> ReadSerialAsync(byte address, CancellationToken cancellationToken)
    {
        try
        {
            var via = await Client.ReadBlockAsync(address, BlockId.Via, cancellationToken).ConfigureAwait(false);
            return PackSnapshot.Empty(address).With(via).Text("bms_serial");
        }
        catch (Exception ex) when (ex is PackRefusedException or BusException)
        {
            return null;
        }
    }

    /// <summary>A one-shot command refuses <c>--record</c>, whether it reads the bus or a broker.</summary>
    public static void RefuseRecording(SeplosSettings settings)
    {
        if (settings.RecordFile is not null)
        {
            // Said rather than ignored: the user would expect a file that never comes.
            throw new UsageException("--record: only the dashboard, `seplos watch` and `seplos mqtt` record (they keep reading); this command reads once");
        }
    }

    /// <summary>
    /// Refuses a write before anything is read or asked: a recording (<c>--replay</c>) answers reads
    /// but holds no pack to write to, and a user who typed <c>yes</c> must not learn that only then.
    /// </summary>
    public static void EnsureWritable(SeplosSettings settings, string command)
    {
        if (settings.ReplayFile is not null)
        {
            throw new CliException($"{command}: {Services.Recording.ReplayFeed.WritesRefusedReason}");
        }
    }

    /// <summary>
    /// Wait before asking a block again that the pack answered "busy" (0x06), as the poller does
    /// (<see cref="Services.PollerOptions.BusyRetryDelay"/>).
    /// </summary>
    public static TimeSpan BusyRetryDelay { get; } = new Services.PollerOptions().BusyRetryDelay;

    /// <summary>
    /// Reads the given blocks of one pack into a snapshot; any failure fails the whole read (for
    /// the write commands, which must not act on half a picture). Optional blocks the pack refuses
    /// are left out.
    /// </summary>
    public async Task<PackSnapshot> ReadAsync(byte address, IEnumerable<BlockId> blocks, CancellationToken cancellationToken, IEnumerable<BlockId>? optional = null)
    {
        var snapshot = PackSnapshot.Empty(address);
        foreach (var block in blocks.Distinct())
        {
            snapshot = snapshot.With(await ReadBlockAsync(address, block, cancellationToken).ConfigureAwait(false));
        }
        return await ReadOptionalAsync(snapshot, optional, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads what the pack gives of the blocks: a block it refuses, or one that fails once the
    /// pack has answered something, is named in <see cref="PackSnapshot.Missing"/> and the others
    /// are read on. Fails as a whole only when nothing was read (a silent pack, a lost link).
    /// </summary>
    public async Task<PackSnapshot> ReadAvailableAsync(byte address, IEnumerable<BlockId> blocks, CancellationToken cancellationToken, IEnumerable<BlockId>? optional = null)
    {
        var snapshot = PackSnapshot.Empty(address);
        Exception? first = null;
        var answered = false;
        foreach (var block in blocks.Distinct())
        {
            try
            {
                snapshot = snapshot.With(await ReadBlockAsync(address, block, cancellationToken).ConfigureAwait(false));
                answered = true;
            }
            catch (PackRefusedException ex)
            {
                snapshot = snapshot.WithMissing(block, ex.Message);
                first ??= ex;
                answered = true;
            }
            catch (RtuException ex) when (answered)
            {
                // The pack is there (it answered before): a block lost after the retries is a gap, not a failure.
                snapshot = snapshot.WithMissing(block, ex.Message);
            }
        }
        if (snapshot.Blocks.Count == 0 && first is not null)
        {
            // Nothing at all: as a failure, with the pack's own reason.
            ExceptionDispatchInfo.Throw(first);
        }
        return await ReadOptionalAsync(snapshot, optional, cancellationToken).ConfigureAwait(false);
    }

    private Task<BlockReading> ReadBlockAsync(byte address, BlockId block, CancellationToken cancellationToken)
        => Client.ReadBlockRetryingBusyAsync(address, block, BusyRetryDelay, cancellationToken);

    private async Task<PackSnapshot> ReadOptionalAsync(PackSnapshot snapshot, IEnumerable<BlockId>? optional, CancellationToken cancellationToken)
    {
        foreach (var block in optional ?? [])
        {
            try
            {
                snapshot = snapshot.With(await ReadBlockAsync(snapshot.Address, block, cancellationToken).ConfigureAwait(false));
            }
            catch (PackRefusedException)
            {
                // Optional: only the master of a parallel system answers EIA/EIB/EIC, and no capture
                // shows a pack answering SFA yet (register reference); its absence is no gap.
            }
        }
        return snapshot;
    }

    public ValueTask DisposeAsync() => Rtu.DisposeAsync();
}
