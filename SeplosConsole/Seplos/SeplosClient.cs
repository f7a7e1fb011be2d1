using System.Collections.Concurrent;
using SeplosConsole.Rtu;

namespace SeplosConsole.Seplos;

/// <summary>The pack said no to a request (a Modbus exception reply).</summary>
public sealed class PackRefusedException : Exception
{
    public PackRefusedException(byte address, string what, ModbusExceptionCode code)
        : base($"pack {address} refused to {what}: {code.Describe()}")
    {
        Address = address;
        Code = code;
    }

    public byte Address { get; }
    public ModbusExceptionCode Code { get; }
}

/// <summary>
/// Seplos V3 operations on top of the RTU client: read a block, write one SPA register.
/// Knows the map's blocks, nothing about screens or MQTT. One caller at a time (the RTU client
/// serialises the bus); what it learns about a pack (a shorter PIA) is kept thread-safely.
/// </summary>
public sealed class SeplosClient
{
    private readonly TimeProvider _time;
    // Packs that refused a whole block but answer the map's shorter read of it: asked for that at once.
    private readonly ConcurrentDictionary<(byte Address, BlockId Block), ushort> _shortReads = new();

    public SeplosClient(RtuClient rtu, TimeProvider? time = null)
    {
        Rtu = rtu;
        _time = time ?? TimeProvider.System;
    }

    public RtuClient Rtu { get; }

    /// <summary>The shorter read this pack answers for the block, once it refused the whole one; null until then.</summary>
    public ushort? ShortReadOf(byte address, BlockId block) => _shortReads.TryGetValue((address, block), out var units) ? units : null;

    /// <summary>
    /// Reads a whole block (several requests where the block is split). When the pack refuses it
    /// with exception 02 and the map names a shorter read that some packs answer instead (PIA: 0x11
    /// registers), that is read and remembered for the pack; the reading is then shorter than the
    /// block and what it lacks shows as missing in the snapshot.
    /// </summary>
    public async Task<BlockReading> ReadBlockAsync(byte address, BlockId block, CancellationToken cancellationToken)
    {
        var definition = SeplosMap.Block(block);
        var units = ShortReadOf(address, block) ?? definition.Count;
        try
        {
            return await ReadUnitsAsync(address, definition, units, cancellationToken).ConfigureAwait(false);
        }
        catch (PackRefusedException ex) when (ex.Code == ModbusExceptionCode.IllegalDataAddress && units == definition.Count
            && definition.FallbackCount is { } fallback)
        {
            var reading = await ReadUnitsAsync(address, definition, fallback, cancellationToken).ConfigureAwait(false);
            _shortReads[(address, block)] = fallback;
            return reading;
        }
    }

    /// <summary>
    /// <see cref="ReadBlockAsync"/>, asked once more after <paramref name="busyRetryDelay"/> when the
    /// pack answers "busy" (Modbus exception 0x06): the pack is there and may answer a moment
    /// later. Busy again fails as any refusal. The poller and the one-shot commands both read so;
    /// <paramref name="time"/> is the caller's clock for the wait (the poller's, in its tests).
    /// </summary>
    public async Task<BlockReading> ReadBlockRetryingBusyAsync(byte address, BlockId block, TimeSpan busyRetryDelay, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        try
        {
            return await ReadBlockAsync(address, block, cancellationToken).ConfigureAwait(false);
        }
        catch (PackRefusedException ex) when (ex.Code == ModbusExceptionCode.DeviceBusy)
        {
            await Task.Delay(busyRetryDelay, time ?? _time, cancellationToken).ConfigureAwait(false);
            return await ReadBlockAsync(address, block, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<BlockReading> ReadUnitsAsync(byte address, RegisterBlock definition, ushort units, CancellationToken cancellationToken)
    {
        var payload = new byte[definition.IsCoils ? (units + 7) / 8 : units * 2];
        var at = 0;
        foreach (var request in definition.Requests(address, units))
        {
            var response = await Rtu.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.Exception is { } code)
            {
                throw new PackRefusedException(address, $"send {definition.Name}", code);
            }
            response.Payload.CopyTo(payload.AsSpan(at));
            at += response.Payload.Length;
        }
        return new BlockReading(definition.Id, payload, _time.GetUtcNow());
    }

    /// <summary>Reads the blocks and merges them into <paramref name="snapshot"/>.</summary>
    public async Task<PackSnapshot> ReadAsync(PackSnapshot snapshot, IEnumerable<BlockId> blocks, CancellationToken cancellationToken)
    {
        var readings = new List<BlockReading>();
        foreach (var block in blocks)
        {
            readings.Add(await ReadBlockAsync(snapshot.Address, block, cancellationToken).ConfigureAwait(false));
        }
        return snapshot.With(readings);
    }

    /// <summary>Reads one register of a field (for a write's verification).</summary>
    public async Task<long> ReadRawAsync(byte address, FieldDefinition field, CancellationToken cancellationToken)
    {
        var request = RtuRequest.ReadInputRegisters(address, field.Address, (ushort)field.Registers);
        var response = await Rtu.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Exception is { } code)
        {
            throw new PackRefusedException(address, $"read {field.Key}", code);
        }
        var payload = new byte[(field.Offset + field.Registers) * 2];
        response.Payload.CopyTo(payload.AsSpan(field.Offset * 2));
        return SeplosCodec.DecodeField(field, payload).Raw;
    }

    /// <summary>
    /// Writes one register with fc 0x10, as the original tool did. Only the write pipeline calls
    /// this; it has validated the field and value. Returns the pack's refusal, if any.
    /// </summary>
    internal async Task<ModbusExceptionCode?> WriteRawAsync(byte address, FieldDefinition field, long raw, CancellationToken cancellationToken)
    {
        if (!field.Writable || field.Registers != 1)
        {
            throw new InvalidOperationException($"{field.Key} is not a writable register");
        }
        var request = RtuRequest.WriteRegisters(address, field.Address, [unchecked((ushort)raw)]);
        var response = await Rtu.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return response.Exception;
    }
}
