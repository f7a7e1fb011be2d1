using System.Buffers.Binary;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;

namespace SeplosConsole.Simulation;

/// <summary>One reply the simulator wants on the wire after <see cref="Delay"/>, or a simulated unplug.</summary>
public sealed record SimulatorReply(byte Address, byte[] Bytes, TimeSpan Delay, SimulatedFault Fault)
{
    /// <summary>The link must go away instead of carrying bytes.</summary>
    public bool Disconnect => Fault == SimulatedFault.Disconnect;
}

/// <summary>
/// The Modbus RTU slave side of a bus of simulated packs. Feed it the bytes the master sends, in
/// any chunks; it frames requests by their function code (fc 0x01/0x04: 8 bytes, fc 0x0F/0x10:
/// 9 + byte count), slides one byte on a bad CRC, ignores addresses it does not serve and returns
/// the replies with their pacing delay (turnaround + wire time). Thread-safe.
/// </summary>
public sealed class BmsSimulator
{
    // A real slave drops a partial frame after 3.5 characters of silence; over USB that silence is
    // not observable (platform notes), so a partial frame is dropped once it is clearly stale.
    private static readonly TimeSpan StaleInputAfter = TimeSpan.FromMilliseconds(100);
    private const int MaxBufferedInput = 1024;

    private readonly Lock _inputGate = new();
    private readonly Dictionary<byte, SimulatedPack> _packs;
    private readonly byte[] _input = new byte[MaxBufferedInput];
    private int _inputLength;
    private long _lastInput;
    private long _requests;
    private long _replies;
    private long _ignored;
    private long _skippedBytes;

    public BmsSimulator(SimulatorOptions options, TimeProvider? time = null)
    {
        options.Validate();
        Options = options;
        Time = time ?? TimeProvider.System;
        _packs = options.Addresses.ToDictionary(a => a, a => new SimulatedPack(a, options, Time));
        Faults = new SimulatorFaults(options.Seed, options.FaultRate, options.RandomFaultKinds);
    }

    public SimulatorOptions Options { get; }
    public TimeProvider Time { get; }
    public SimulatorFaults Faults { get; }
    public IReadOnlyDictionary<byte, SimulatedPack> Packs => _packs;

    /// <summary>Valid requests to a served address.</summary>
    public long Requests => Interlocked.Read(ref _requests);
    /// <summary>Replies handed out (including faulty ones; not the silent ones).</summary>
    public long Replies => Interlocked.Read(ref _replies);
    /// <summary>Valid requests to addresses nobody here serves.</summary>
    public long Ignored => Interlocked.Read(ref _ignored);
    /// <summary>Bytes dropped while resynchronising (bad CRC, noise, stale partial frames).</summary>
    public long SkippedBytes => Interlocked.Read(ref _skippedBytes);

    public SimulatedPack Pack(byte address) => _packs[address];

    /// <summary>
    /// Time from the end of a request until the last byte of a reply of <paramref name="bytes"/> bytes.
    /// A reply's <see cref="SimulatorReply.Delay"/> adds the request's own wire time, counted from
    /// the moment the request was fed.
    /// </summary>
    public TimeSpan ReplyDelay(int bytes) => Options.Turnaround + Options.WireTime(bytes);

    /// <summary>Takes bytes from the master and returns the replies they complete (often none).</summary>
    public IReadOnlyList<SimulatorReply> Feed(ReadOnlySpan<byte> bytes)
    {
        List<SimulatorReply>? replies = null;
        lock (_inputGate)
        {
            var now = Time.GetTimestamp();
            if (_inputLength > 0 && Time.GetElapsedTime(_lastInput, now) > StaleInputAfter)
            {
                Skip(_inputLength);
            }
            _lastInput = now;
            while (!bytes.IsEmpty)
            {
                if (_inputLength == _input.Length)
                {
                    // Only noise fills the buffer this far: keep the newest half.
                    Skip(_input.Length / 2);
                }
                var take = Math.Min(bytes.Length, _input.Length - _inputLength);
                bytes[..take].CopyTo(_input.AsSpan(_inputLength));
                _inputLength += take;
                bytes = bytes[take..];
                while (TryTakeFrame(out var frame))
                {
                    if (Handle(frame) is { } reply)
                    {
                        (replies ??= []).Add(reply);
                    }
                }
            }
        }
        return replies ?? [];
    }

    /// <summary>Answers one complete, CRC-checked request frame; null when no reply is due.</summary>
    private SimulatorReply? Handle(byte[] frame)
    {
        var address = frame[0];
        if (!_packs.TryGetValue(address, out var pack))
        {
            // A real bus carries requests for other packs: stay silent.
            Interlocked.Increment(ref _ignored);
            return null;
        }
        Interlocked.Increment(ref _requests);
        // The pack acts on the request even when its reply gets lost (a write is stored).
        var reply = Answer(pack, frame);
        var fault = Faults.Next(address);
        var delay = TimeSpan.Zero;
        switch (fault)
        {
            case SimulatedFault.NoReply:
                return null;
            case SimulatedFault.CorruptCrc:
                reply[^1] ^= 0x5A;
                break;
            case SimulatedFault.ExceptionReply:
                reply = ExceptionReply(address, frame[1], Faults.ExceptionCode);
                break;
            case SimulatedFault.ExtraDelay:
                delay = Faults.ExtraDelay;
                break;
            case SimulatedFault.Garbage:
                reply = [.. Faults.Garbage(), .. reply];
                break;
            case SimulatedFault.Disconnect:
                Interlocked.Increment(ref _replies);
                return new SimulatorReply(address, [], Options.Turnaround, fault);
        }
        Interlocked.Increment(ref _replies);
        // The request itself took its wire time to arrive: a pty or an in-process bus hands it over
        // at once (platform notes), so the reply waits for it as well.
        return new SimulatorReply(address, reply, Options.WireTime(frame.Length) + ReplyDelay(reply.Length) + delay, fault);
    }

    private byte[] Answer(SimulatedPack pack, byte[] frame)
    {
        var address = frame[0];
        var function = frame[1];
        var start = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(2));
        var quantity = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(4));
        switch ((ModbusFunction)function)
        {
            case ModbusFunction.ReadInputRegisters when start == SeplosMap.HistoryRequestStart:
                // The history read's count field is a command (register reference, HIA).
                if (!pack.TryReadHistory(quantity, out var record))
                {
                    return ExceptionReply(address, function, ModbusExceptionCode.IllegalDataValue);
                }
                return record is null
                    ? ExceptionReply(address, function, ModbusExceptionCode.NoHistoryRecord)
                    : ReadReply(address, function, record);

            case ModbusFunction.ReadInputRegisters:
            case ModbusFunction.ReadCoils:
                if (Options.RefusedReads.Any(r => r.Refuses((ModbusFunction)function, start, quantity)))
                {
                    return ExceptionReply(address, function, ModbusExceptionCode.IllegalDataAddress);
                }
                if (pack.IsMaster && SeplosMap.SystemBlocks.Any(id => SeplosMap.Block(id).Covers(start, 1)))
                {
                    pack.RenderSystemBlocks(_packs.Values);
                }
                // A read outside a block, or running past its end, is refused (C1: EIB with 0x1A
                // registers and PIC with 0x0900 coils both got exception 0x02).
                return pack.TryRead((ModbusFunction)function, start, quantity, out var payload)
                    ? ReadReply(address, function, payload)
                    : ExceptionReply(address, function, ModbusExceptionCode.IllegalDataAddress);

            case ModbusFunction.WriteMultipleRegisters:
                // The framer only passes headers whose byte count matches the quantity.
                var values = new ushort[quantity];
                for (var i = 0; i < quantity; i++)
                {
                    values[i] = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(7 + (2 * i)));
                }
                if (!pack.TryWriteRegisters(start, values))
                {
                    return ExceptionReply(address, function, ModbusExceptionCode.IllegalDataAddress);
                }
                var echo = new byte[8];
                frame.AsSpan(0, 6).CopyTo(echo);
                Crc16Modbus.Seal(echo);
                return echo;

            case ModbusFunction.WriteMultipleCoils:
                // SFA/SCA coils are not simulated; nothing here takes a coil write.
                return ExceptionReply(address, function, ModbusExceptionCode.IllegalDataAddress);

            default:
                // The reference lists fc 0x01, 0x04, 0x0F and 0x10 only.
                return ExceptionReply(address, function, ModbusExceptionCode.IllegalFunction);
        }
    }

    private static byte[] ReadReply(byte address, byte function, byte[] payload)
    {
        var reply = new byte[5 + payload.Length];
        reply[0] = address;
        reply[1] = function;
        reply[2] = (byte)payload.Length;
        payload.CopyTo(reply, 3);
        Crc16Modbus.Seal(reply);
        return reply;
    }

    private static byte[] ExceptionReply(byte address, byte function, ModbusExceptionCode code)
    {
        // addr, fc|0x80, code, CRC (register reference, "Link").
        var reply = new byte[] { address, (byte)(function | 0x80), (byte)code, 0, 0 };
        Crc16Modbus.Seal(reply);
        return reply;
    }

    /// <summary>Cuts the first complete valid frame off the input; slides a byte at a time over bad ones.</summary>
    private bool TryTakeFrame(out byte[] frame)
    {
        frame = [];
        while (_inputLength >= 2)
        {
            int length;
            if (_input[1] is (byte)ModbusFunction.WriteMultipleRegisters or (byte)ModbusFunction.WriteMultipleCoils)
            {
                if (_inputLength < 7)
                {
                    return false;
                }
                if (!IsPlausibleWriteHeader(_input.AsSpan(0, 7)))
                {
                    // Noise that happens to look like a write would make us wait for up to 264
                    // bytes that never come: accept only a consistent header.
                    Skip(1);
                    continue;
                }
                length = 9 + _input[6];
            }
            else
            {
                // fc 0x01/0x04 and anything unknown: address, function, start, quantity, CRC.
                length = 8;
            }
            if (_inputLength < length)
            {
                return false;
            }
            if (Crc16Modbus.IsValidFrame(_input.AsSpan(0, length)))
            {
                frame = _input.AsSpan(0, length).ToArray();
                Consume(length);
                return true;
            }
            Skip(1);
        }
        return false;
    }

    /// <summary>Quantity and byte count of an fc 0x0F/0x10 header agree and fit one Modbus frame.</summary>
    private static bool IsPlausibleWriteHeader(ReadOnlySpan<byte> header)
    {
        var quantity = BinaryPrimitives.ReadUInt16BigEndian(header[4..]);
        return header[1] == (byte)ModbusFunction.WriteMultipleRegisters
            ? quantity is >= 1 and <= 123 && header[6] == quantity * 2
            : quantity is >= 1 and <= 1968 && header[6] == (quantity + 7) / 8;
    }

    private void Skip(int count)
    {
        Interlocked.Add(ref _skippedBytes, count);
        Consume(count);
    }

    private void Consume(int count)
    {
        _input.AsSpan(count, _inputLength - count).CopyTo(_input);
        _inputLength -= count;
    }
}
