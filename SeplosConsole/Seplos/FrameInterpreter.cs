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
    /// <summary>Several blocks have that size; the content fits only one (<see cref="ReplyIdentifier"/>).</summary>
    Content,
    /// <summary>Several fit; the master's own order of its system blocks names one.</summary>
    PollSequence,
}

/// <summary>What an ambiguous reply would say if it were this block; never used as a reading.</summary>
public sealed record InterpretedAlternative(string Block, ushort StartRegister, ushort Quantity,
    IReadOnlyList<InterpretedField> Fields, IReadOnlyList<InterpretedFlag> ActiveFlags, IReadOnlyList<UnknownBit> UnknownBits);

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
    /// <summary>Set bits of a coil reply that the map does not name (diagnostics).</summary>
    public IReadOnlyList<UnknownBit> UnknownBits { get; init; } = [];
    /// <summary>
    /// A reply whose size and content fit several blocks: what it would say as each. Such a reply
    /// has no <see cref="Block"/>, and nothing downstream uses it as a reading.
    /// </summary>
    public IReadOnlyList<InterpretedAlternative> Ambiguous { get; init; } = [];
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
    /// <param name="identification">
    /// What a stream's <see cref="ReplyIdentifier"/> said about an unpaired reply (it knows the
    /// frames before); without it the reply is identified on its own.
    /// </param>
    public static InterpretedFrame Interpret(RtuStreamItem item, ushort? startHint = null, ReplyIdentification? identification = null) => item switch
    {
        RtuFrame frame => InterpretFrame(frame, crcOk: true, startHint, identification),
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
            var interpreted = InterpretFrame(shaped, crcOk: false, startHint, null);
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

    private static InterpretedFrame InterpretFrame(RtuFrame frame, bool crcOk, ushort? startHint, ReplyIdentification? identification)
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

        if (frame.Request is not null && frame.Request.Quantity is { } asked && QuantityLimitNote(frame.Request.Function, asked) is { } limit)
        {
            notes.Add(limit);
        }
        if (frame.Kind == RtuFrameKind.Request && frame.Quantity is { } count && QuantityLimitNote(frame.Function, count) is { } beyond)
        {
            notes.Add(beyond);
        }
        var range = FindRange(frame, startHint, notes, identification, out var alternatives);
        if (range is null)
        {
            return result with
            {
                Notes = notes,
                Ambiguous = [.. alternatives.Select(c => Alternative(c, frame.Payload.Span))],
            };
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
            ? result with { ActiveFlags = DecodeFlags(block, start, quantity, payload), UnknownBits = UnknownBits(block, start, quantity, payload), Notes = notes }
            : result with { Fields = DecodeFields(block, start, payload), Notes = notes };
    }

    private static InterpretedAlternative Alternative(ReplyCandidate candidate, ReadOnlySpan<byte> payload)
    {
        var (block, start, quantity) = (candidate.Block, candidate.Start, candidate.Quantity);
        return block.IsCoils
            ? new(block.Name, start, quantity, [], DecodeFlags(block, start, quantity, payload), UnknownBits(block, start, quantity, payload))
            : new(block.Name, start, quantity, DecodeFields(block, start, payload), [], []);
    }

    /// <summary>
    /// Modbus limits a read to 2000 coils or 125 registers (Modbus application protocol 6.1, 6.4);
    /// a CRC-valid request past that is still what was sent (the vendor software asks PIC for
    /// 0x0900 coils, capture C1), so it is decoded and the excess noted.
    /// </summary>
    private static string? QuantityLimitNote(ModbusFunction function, ushort quantity)
    {
        var limit = function switch
        {
            ModbusFunction.ReadCoils => 2000,
            ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters => 125,
            _ => int.MaxValue,
        };
        var unit = function == ModbusFunction.ReadCoils ? "coils" : "registers";
        return quantity > limit ? $"asks for 0x{quantity:X4} ({quantity}) {unit}, more than the Modbus limit of {limit}; a pack refuses it (exception 02)" : null;
    }

    /// <summary>Which block, and which part of it, the frame carries.</summary>
    private static (RegisterBlock Block, ushort Start, ushort Quantity, BlockSource Source)? FindRange(
        RtuFrame frame, ushort? startHint, List<string> notes, ReplyIdentification? identification, out IReadOnlyList<ReplyCandidate> alternatives)
    {
        alternatives = [];
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
            return FindUnpaired(frame, readFunction, notes, identification, out alternatives);
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
    /// A response without its request: <see cref="ReplyIdentifier"/> names its block from the byte
    /// count, content checks and the master's order, or says it is ambiguous (then every reading
    /// that fits is returned in <paramref name="alternatives"/>, and none is the frame's block).
    /// </summary>
    private static (RegisterBlock Block, ushort Start, ushort Quantity, BlockSource Source)? FindUnpaired(
        RtuFrame frame, ModbusFunction readFunction, List<string> notes, ReplyIdentification? identification, out IReadOnlyList<ReplyCandidate> alternatives)
    {
        alternatives = [];
        if (frame.IsWrite || frame.Kind != RtuFrameKind.Response)
        {
            return null;
        }
        identification ??= ReplyIdentifier.Identify(frame.Address, readFunction, frame.Payload.Span);
        switch (identification.By)
        {
            case IdentifiedBy.Length:
                return (identification.Candidate!.Value.Block, identification.Candidate.Value.Start, identification.Candidate.Value.Quantity, BlockSource.Length);
            case IdentifiedBy.Content or IdentifiedBy.PollSequence:
                notes.Add(identification.Reason);
                var chosen = identification.Candidate!.Value;
                return (chosen.Block, chosen.Start, chosen.Quantity, identification.By == IdentifiedBy.Content ? BlockSource.Content : BlockSource.PollSequence);
            case IdentifiedBy.Ambiguous:
                notes.Add(identification.Reason + "; give the start register (--start) to choose");
                alternatives = identification.Fitting;
                return null;
            default:
                notes.Add(identification.Reason + "; give the start register");
                return null;
        }
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

    private static List<UnknownBit> UnknownBits(RegisterBlock block, ushort start, ushort quantity, ReadOnlySpan<byte> payload)
    {
        // Only a read of the whole block lines the bits up with the block's bytes.
        return start == block.Start && quantity == block.Count && payload.Length >= block.RegisterCount
            ? [.. SeplosMap.UnknownSetBits(block.Id, payload[..block.RegisterCount])]
            : [];
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
