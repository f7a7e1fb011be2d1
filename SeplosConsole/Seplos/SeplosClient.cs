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
/// Knows the map's blocks, nothing about screens or MQTT.
/// </summary>
public sealed class SeplosClient
{
    private readonly TimeProvider _time;

    public SeplosClient(RtuClient rtu, TimeProvider? time = null)
    {
        Rtu = rtu;
        _time = time ?? TimeProvider.System;
    }

    public RtuClient Rtu { get; }

    /// <summary>Reads a whole block (several requests where the block is split).</summary>
    public async Task<BlockReading> ReadBlockAsync(byte address, BlockId block, CancellationToken cancellationToken)
    {
        var definition = SeplosMap.Block(block);
        var payload = new byte[definition.IsCoils ? definition.RegisterCount : definition.RegisterCount * 2];
        var at = 0;
        foreach (var request in definition.Requests(address))
        {
            var response = await Rtu.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.Exception is { } code)
            {
                throw new PackRefusedException(address, $"send {definition.Name}", code);
            }
            response.Payload.CopyTo(payload.AsSpan(at));
            at += response.Payload.Length;
        }
        return new BlockReading(block, payload, _time.GetUtcNow());
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
