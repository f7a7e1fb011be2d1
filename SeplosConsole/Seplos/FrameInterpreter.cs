using SeplosConsole.Rtu;

namespace SeplosConsole.Seplos;

public enum InterpretedKind
{
    Request,
    Response,
    ExceptionResponse,
    /// <summary>Bytes that did not frame; see <see cref="InterpretedFrame.Hex"/>.</summary>
    BadBytes,
}

/// <summary>How the block of a frame was found.</summary>
public enum BlockSource
{
    /// <summary>Not found (see the notes).</summary>
    None,
    /// <summary>From the register range in the frame itself (requests, write confirmations).</summary>
    Frame,
    /// <summary>From the request seen before the response.</summary>
    PairedRequest,
    /// <summary>From the start register the user gave (<c>--start</c>).</summary>
    StartHint,
    /// <summary>From function code and byte count, which only one block of the map has.</summary>
    Length,
}

/// <summary>One field of the map decoded from a frame.</summary>
/// <param name="Register">Bus address of the field's first register.</param>
/// <param name="Value">Engineering value; null for text.</param>
/// <param name="Display">Value at the field's resolution, without unit (or the text).</param>
/// <param name="Uncertain">Sources disagree about this field (register reference).</param>
public sealed record InterpretedField(string Key, string Name, ushort Register, long Raw, double? Value, string? Text, string Display, string Unit, bool Uncertain);

/// <summary>A flag of the map that is set in a coil frame.</summary>
public sealed record InterpretedFlag(string Key, string Name, ushort Coil, FlagKind Kind, bool Uncertain);

/// <summary>
/// Everything the decoder and the map say about one item of a bus stream, as plain data for the
/// CLI to print as text or JSON. Enums are best serialised as strings. Immutable.
/// </summary>
public sealed record InterpretedFrame
{
    public required InterpretedKind Kind { get; init; }
    /// <summary>Position of the first byte in the stream.</summary>
    public required long Offset { get; init; }
    public required int Length { get; init; }
    public required string Hex { get; init; }
    /// <summary>False for bad bytes, including a damaged frame shown for what it would have said.</summary>
    public required bool CrcOk { get; init; }
    public byte? Address { get; init; }
    public byte? FunctionCode { get; init; }
    /// <summary>"read input registers", "exception to read coils" …</summary>
    public string? FunctionName { get; init; }
    /// <summary>Block name from the map ("PIA"), when known.</summary>
    public string? Block { get; init; }
    public BlockSource BlockSource { get; init; }
    public ushort? StartRegister { get; init; }
    /// <summary>Registers, or coils for fc 0x01/0x0F.</summary>
    public ushort? Quantity { get; init; }
    /// <summary>Offset of the request this response answers.</summary>
    public long? RequestOffset { get; init; }
    public IReadOnlyList<InterpretedField> Fields { get; init; } = [];
    public IReadOnlyList<InterpretedFlag> ActiveFlags { get; init; } = [];
    public byte? ExceptionCode { get; init; }
    public string? ExceptionMeaning { get; init; }
    /// <summary>Why a block was not found, ambiguities, uncertain layouts, CRC remarks.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>
/// Puts a decoded frame in the terms of the Seplos map: which block, which fields, which flags,
/// all through <see cref="SeplosCodec"/>. Stateless and thread-safe; prints nothing.
/// </summary>
public static class FrameInterpreter
{
    /// <param name="startHint">
    /// First register (or coil) of a response seen without its request, as the user knows it;
    /// ignored when the request was seen.
    /// </param>
    public static InterpretedFrame Interpret(RtuStreamItem item, ushort? startHint = null) => item switch
    {
        RtuFrame frame => InterpretFrame(frame, crcOk: true, startHint),
        RtuBadBytes bad => InterpretBadBytes(bad, startHint),
        _ => throw new ArgumentException($"unknown stream item {item.GetType().Name}", nameof(item)),
    };

    private static InterpretedFrame InterpretBadBytes(RtuBadBytes bad, ushort? startHint)
    {
        // A run that has exactly the shape of one frame is most likely that frame, damaged (or
        // mistyped): show what it would say, clearly marked as failing its CRC.
        if (RtuStreamDecoder.ParseIgnoringCrc(bad.Offset, bad.Bytes.Span) is { } shaped)
        {
            var crc = Crc16Modbus.Compute(bad.Bytes.Span[..^2]);
            var interpreted = InterpretFrame(shaped, crcOk: false, startHint);
            return interpreted with
            {
                Notes = [$"CRC error: the frame ends {bad.Bytes.Span[^2]:X2} {bad.Bytes.Span[^1]:X2}, its CRC is {(byte)crc:X2} {(byte)(crc >> 8):X2}; values may be wrong", .. interpreted.Notes],
            };
        }
        return new InterpretedFrame
        {
            Kind = InterpretedKind.BadBytes,
            Offset = bad.Offset,
            Length = bad.Length,
            Hex = bad.Hex,
            CrcOk = false,
        };
    }

    private static InterpretedFrame InterpretFrame(RtuFrame frame, bool crcOk, ushort? startHint)
    {
        var notes = new List<string>();
        var result = new InterpretedFrame
        {
            Kind = frame.Kind switch
            {
                RtuFrameKind.Request => InterpretedKind.Request,
                RtuFrameKind.Response => InterpretedKind.Response,
                _ => InterpretedKind.ExceptionResponse,
            },
            Offset = frame.Offset,
            Length = frame.Length,
            Hex = frame.Hex,
            CrcOk = crcOk,
            Address = frame.Address,
            FunctionCode = frame.FunctionCode,
            FunctionName = FunctionName(frame),
            RequestOffset = frame.Request?.Offset,
            ExceptionCode = frame.ExceptionCode is { } code ? (byte)code : null,
            ExceptionMeaning = frame.ExceptionCode?.Describe(),
        };

        var range = FindRange(frame, startHint, notes);
        if (range is null)
        {
            return result with { Notes = notes };
        }
        var (block, start, quantity, source) = range.Value;
        result = result with { Block = block.Name, BlockSource = source, StartRegister = start, Quantity = quantity };
        if (block.Uncertain)
        {
            notes.Add($"{block.Name}: {block.Description}");
        }

        var payload = frame.Payload.Span;
        if (payload.IsEmpty)
        {
            return result with { Notes = notes };
        }
        if (block.Id == BlockId.Hia && payload.Length == HistoryRecordCodec.PayloadLength)
        {
            // A history record's events are named as the live alarms are.
            var events = HistoryRecordCodec.Decode(payload).Events.Select(f => new InterpretedFlag(f.Key, f.Name, f.Coil, f.Kind, f.Uncertain)).ToList();
            return result with { Fields = DecodeFields(block, start, payload), ActiveFlags = events, Notes = notes };
        }
        return block.IsCoils
            ? result with { ActiveFlags = DecodeFlags(block, start, quantity, payload), Notes = notes }
            : result with { Fields = DecodeFields(block, start, payload), Notes = notes };
    }

    /// <summary>Which block, and which part of it, the frame carries.</summary>
    private static (RegisterBlock Block, ushort Start, ushort Quantity, BlockSource Source)? FindRange(RtuFrame frame, ushort? startHint, List<string> notes)
    {
        // SPA is read with fc 0x04 and written with fc 0x10 (register reference, SPA); coils alike.
        var readFunction = frame.Function switch
        {
            ModbusFunction.WriteMultipleRegisters => ModbusFunction.ReadInputRegisters,
            ModbusFunction.WriteMultipleCoils => ModbusFunction.ReadCoils,
            var function => function,
        };

        ushort start;
        ushort quantity;
        BlockSource source;
        if (frame.Start is { } ownStart)
        {
            (start, quantity, source) = (ownStart, frame.Quantity!.Value, BlockSource.Frame);
        }
        else if (frame.Request is { Start: { } asked })
        {
            (start, quantity, source) = (asked, frame.Request.Quantity!.Value, BlockSource.PairedRequest);
        }
        else if (frame.Kind == RtuFrameKind.ExceptionResponse)
        {
            notes.Add("no request seen before this exception, so the register is unknown");
            return null;
        }
        else if (startHint is { } hint)
        {
            var bytes = frame.Payload.Length;
            (start, quantity, source) = (hint, (ushort)(readFunction == ModbusFunction.ReadCoils ? bytes * 8 : bytes / 2), BlockSource.StartHint);
            if (readFunction == ModbusFunction.ReadCoils
                && SeplosMap.Blocks.FirstOrDefault(b => b.Function == readFunction && b.Covers(hint, 1)) is { } coilBlock)
            {
                // A coil reply is padded to whole bytes; the bits past the block are padding.
                quantity = (ushort)Math.Min(quantity, coilBlock.Start + coilBlock.Count - hint);
            }
        }
        else
        {
            return FindByLength(frame, readFunction, notes);
        }

        if (readFunction == ModbusFunction.ReadInputRegisters && SeplosMap.DescribeHistoryRequest(start, quantity) is { } history)
        {
            // The history read (register reference, HIA): its count is a command, its reply one HIA record.
            notes.Add(history);
            var hia = SeplosMap.Block(BlockId.Hia);
            return (hia, hia.Start, hia.Count, source);
        }
        var block = SeplosMap.Blocks.FirstOrDefault(b => b.Function == readFunction && b.Covers(start, quantity));
        if (block is null)
        {
            notes.Add($"{quantity} {(readFunction == ModbusFunction.ReadCoils ? "coil(s)" : "register(s)")} at 0x{start:X4} with fc 0x{(byte)readFunction:X2} are not inside one block of the map");
            return null;
        }
        return (block, start, quantity, source);
    }

    /// <summary>
    /// A response without its request: its byte count names the block when exactly one read of
    /// the map has that size with that function (PIA 0x24, PIC 0x12, PCT 0x48 …). PIB and EIA
    /// both answer 0x34 bytes, and the two SPA halves 0x6A each: those need the request or --start.
    /// </summary>
    private static (RegisterBlock Block, ushort Start, ushort Quantity, BlockSource Source)? FindByLength(RtuFrame frame, ModbusFunction readFunction, List<string> notes)
    {
        if (frame.IsWrite || frame.Kind != RtuFrameKind.Response)
        {
            return null;
        }
        var bytes = frame.Payload.Length;
        var matches = SeplosMap.Blocks
            .Where(b => b.Function == readFunction)
            .SelectMany(b => b.Requests(frame.Address).Select(r => (Block: b, Request: r)))
            .Where(m => m.Request.ExpectedResponseLength == bytes + 5)
            .ToList();
        if (matches.Count == 1)
        {
            var (block, request) = matches[0];
            return (block, request.Start, request.Quantity, BlockSource.Length);
        }
        notes.Add(matches.Count == 0
            ? $"no block of the map answers fc 0x{frame.FunctionCode:X2} with {bytes} data bytes; give the start register"
            : $"{bytes} data bytes fit {string.Join(" or ", matches.Select(m => $"{m.Block.Name} at 0x{m.Request.Start:X4}"))}; give the start register to decode it");
        return null;
    }

    private static List<InterpretedField> DecodeFields(RegisterBlock block, ushort start, ReadOnlySpan<byte> payload)
    {
        // Lay the received registers into a whole-block payload, so the map's offsets (from the
        // block start) apply, and decode the fields the frame covers completely.
        var first = start - block.Start;
        var registers = Math.Min(payload.Length / 2, block.Count - first);
        var blockPayload = new byte[block.RegisterCount * 2];
        payload[..(registers * 2)].CopyTo(blockPayload.AsSpan(first * 2));

        var fields = new List<InterpretedField>();
        foreach (var field in SeplosMap.FieldsOf(block.Id))
        {
            if (field.Offset < first || field.Offset + field.Registers > first + registers)
            {
                continue;
            }
            var reading = SeplosCodec.DecodeField(field, blockPayload);
            fields.Add(new InterpretedField(field.Key, field.Name, field.Address, reading.Raw, reading.Value, reading.Text, reading.Display, field.Unit, field.Uncertain));
        }
        return fields;
    }

    private static List<InterpretedFlag> DecodeFlags(RegisterBlock block, ushort start, ushort quantity, ReadOnlySpan<byte> payload)
    {
        // Bit i of the reply is coil start + i (bit 0 of byte 0 first). Copy bit by bit into a
        // whole-block coil image, so a read that does not start on the block start works too.
        var first = start - block.Start;
        var bits = Math.Min(Math.Min(quantity, payload.Length * 8), block.Count - first);
        var coilBytes = new byte[block.RegisterCount];
        for (var i = 0; i < bits; i++)
        {
            if ((payload[i / 8] & (1 << (i % 8))) != 0)
            {
                var bit = first + i;
                coilBytes[bit / 8] |= (byte)(1 << (bit % 8));
            }
        }

        return [.. SeplosMap.FlagsOf(block.Id)
            .Where(flag => flag.Bit >= first && flag.Bit < first + bits && SeplosCodec.DecodeFlag(flag, coilBytes))
            .Select(flag => new InterpretedFlag(flag.Key, flag.Name, flag.Coil, flag.Kind, flag.Uncertain))];
    }

    private static string FunctionName(RtuFrame frame)
    {
        var name = frame.Function switch
        {
            ModbusFunction.ReadCoils => "read coils",
            ModbusFunction.ReadHoldingRegisters => "read holding registers",
            ModbusFunction.ReadInputRegisters => "read input registers",
            ModbusFunction.WriteMultipleCoils => "write multiple coils",
            ModbusFunction.WriteMultipleRegisters => "write multiple registers",
            _ => $"function 0x{(byte)frame.Function:X2}",
        };
        return frame.Kind == RtuFrameKind.ExceptionResponse ? "exception to " + name : name;
    }
}
