using System.Buffers.Binary;
using SeplosConsole.Rtu;

namespace SeplosConsole.Seplos;

/// <summary>One read of the map a reply could be: a block, and the part of it one request reads.</summary>
public readonly record struct ReplyCandidate(RegisterBlock Block, ushort Start, ushort Quantity)
{
    /// <summary>The whole block in one request (not one SPA half), or its shorter fallback read.</summary>
    public bool IsWholeBlock => Block.IsWholeRead(Start, Quantity);
}

/// <summary>How an unpaired reply was identified, or why it was not.</summary>
public enum IdentifiedBy
{
    /// <summary>Nothing of the map has this function and size.</summary>
    None,
    /// <summary>Only one read of the map has this function and size.</summary>
    Length,
    /// <summary>Several reads have this size; the content fits only one of them.</summary>
    Content,
    /// <summary>Several fit; the master's own cycle (EIA, EIB, EIC in that order) names one.</summary>
    PollSequence,
    /// <summary>Several fit and nothing decides: the reply is shown as each, and used as none.</summary>
    Ambiguous,
}

/// <param name="Candidate">The read the reply is; null when none or several fit.</param>
/// <param name="Fitting">Every read the reply fits after the content checks (two or more when ambiguous).</param>
/// <param name="Reason">One line for the user: why this block, or why none.</param>
public sealed record ReplyIdentification(ReplyCandidate? Candidate, IdentifiedBy By, IReadOnlyList<ReplyCandidate> Fitting, string Reason)
{
    public bool IsAmbiguous => By == IdentifiedBy.Ambiguous;
}

/// <summary>
/// Names the block of a read reply seen WITHOUT its request — the master of a parallel stack sends
/// its own PIA/PIB/PIC and its system blocks that way (register reference, "Parallel stacks").
/// It never guesses: a size that several reads share is settled by content checks, then by the
/// master's own order; if two blocks still fit, the answer is <see cref="IdentifiedBy.Ambiguous"/>
/// and the caller must not use the reply as either (docs/protocol.md, "Identifying replies").
/// Stateful per stream (it remembers each address's last reply); not thread-safe.
/// </summary>
public sealed class ReplyIdentifier
{
    private readonly Dictionary<byte, BlockId> _lastReply = [];

    /// <summary>
    /// Takes every frame of the stream in order. Returns the identification of an unpaired read
    /// reply, null for anything else (requests, paired replies, exceptions, writes).
    /// </summary>
    public ReplyIdentification? Observe(RtuFrame frame)
    {
        if (frame.Kind != RtuFrameKind.Response || frame.IsWrite)
        {
            // Anything else from or to this address breaks "right after" in the master's cycle.
            _lastReply.Remove(frame.Address);
            return null;
        }
        if (frame.Request is { Start: { } start, Quantity: { } quantity })
        {
            var block = SeplosMap.Blocks.FirstOrDefault(b => b.Function == frame.Function && b.Covers(start, quantity));
            Remember(frame.Address, block?.Id);
            return null;
        }
        var identification = Identify(frame.Address, frame.Function, frame.Payload.Span, _lastReply.TryGetValue(frame.Address, out var last) ? last : null);
        Remember(frame.Address, identification.Candidate?.Block.Id);
        return identification;
    }

    private void Remember(byte address, BlockId? block)
    {
        if (block is { } id)
        {
            _lastReply[address] = id;
        }
        else
        {
            _lastReply.Remove(address);
        }
    }

    /// <summary>Identifies one unpaired reply; <paramref name="previous"/> is the block the same address sent just before.</summary>
    public static ReplyIdentification Identify(byte address, ModbusFunction function, ReadOnlySpan<byte> payload, BlockId? previous = null)
    {
        var bytes = payload.Length;
        var sized = SeplosMap.Blocks
            .Where(b => b.Function == function)
            .SelectMany(b => Reads(b, address))
            .Where(c => ExpectedPayload(c) == bytes)
            .ToList();
        if (sized.Count == 0)
        {
            return new(null, IdentifiedBy.None, [], $"no block of the map answers fc 0x{(byte)function:X2} with {bytes} data bytes");
        }
        if (sized.Count == 1)
        {
            return new(sized[0], IdentifiedBy.Length, sized, $"only {Describe(sized[0])} answers with {bytes} data bytes");
        }

        var fitting = new List<ReplyCandidate>();
        var refused = new List<string>();
        foreach (var candidate in sized)
        {
            if (ContentMismatch(candidate, payload) is { } why)
            {
                refused.Add($"not {candidate.Block.Name}: {why}");
            }
            else
            {
                fitting.Add(candidate);
            }
        }
        var checks = refused.Count == 0 ? "" : " (" + string.Join("; ", refused) + ")";
        if (fitting.Count == 1)
        {
            return new(fitting[0], IdentifiedBy.Content, fitting, $"{bytes} data bytes fit {Names(sized)}; the content fits only {fitting[0].Block.Name}{checks}");
        }
        if (fitting.Count == 0)
        {
            return new(null, IdentifiedBy.None, [], $"{bytes} data bytes fit {Names(sized)}, but the content fits none of them{checks}");
        }
        if (previous is { } last && LaterInMasterCycle(last, fitting) is { } chosen)
        {
            return new(chosen, IdentifiedBy.PollSequence, fitting,
                $"{bytes} data bytes fit {Names(fitting)}; it came right after this address's {SeplosMap.Block(last).Name}, and of these only {chosen.Block.Name} follows it in the master's cycle{checks}");
        }
        return new(null, IdentifiedBy.Ambiguous, fitting,
            $"ambiguous: {bytes} data bytes fit {Names(fitting)} and nothing tells them apart; shown as each, used as none{checks}");
    }

    /// <summary>
    /// The master sends its own system blocks in map order, EIA, EIB, EIC, with nothing of its own
    /// between them (sp05b capture: EIA, EIB, then the 10-byte coil reply that reads as EIC). So a
    /// reply right after one of them is one of the system blocks after it, if exactly one fits.
    /// </summary>
    private static ReplyCandidate? LaterInMasterCycle(BlockId previous, IReadOnlyList<ReplyCandidate> fitting)
    {
        var system = SeplosMap.SystemBlocks.ToList();
        var index = system.IndexOf(previous);
        if (index < 0)
        {
            return null;
        }
        var later = fitting.Where(c => system.IndexOf(c.Block.Id) > index).ToList();
        return later.Count == 1 ? later[0] : null;
    }

    /// <summary>Every read of the block a master makes: its requests, and the shorter fallback read where the map has one.</summary>
    private static IEnumerable<ReplyCandidate> Reads(RegisterBlock block, byte address)
    {
        var reads = block.Requests(address).Select(r => new ReplyCandidate(block, r.Start, r.Quantity));
        return block.FallbackCount is { } fallback
            ? reads.Append(new ReplyCandidate(block, block.Start, fallback))
            : reads;
    }

    /// <summary>
    /// Why the payload cannot be this block, or null when it can. Only checks that follow from the
    /// register reference, never a guess about typical values:
    /// - PIB begins with cell voltages, 1.0–5.0 V for the eight cells every V3 pack has;
    /// - EIA's second register is the high word of the system voltage, 0 below 655 V;
    /// - EIC's first byte is the system state (TB09): bits 6–7 reserved, and the states
    ///   (discharging, charging, float, full, standby, off) exclude each other;
    /// - SFA's fourth byte is TB17, whose bits 1–7 are reserved.
    /// </summary>
    public static string? ContentMismatch(ReplyCandidate candidate, ReadOnlySpan<byte> payload)
    {
        if (!candidate.IsWholeBlock)
        {
            return null;
        }
        switch (candidate.Block.Id)
        {
            case BlockId.Pib:
                for (var cell = 0; cell < 8; cell++)
                {
                    var millivolts = BinaryPrimitives.ReadUInt16BigEndian(payload[(2 * cell)..]);
                    if (millivolts is < 1000 or > 5000)
                    {
                        return $"cell {cell + 1} would be {millivolts} mV";
                    }
                }
                return null;
            case BlockId.Eia:
                var high = BinaryPrimitives.ReadUInt16BigEndian(payload[2..]);
                return high == 0 ? null : $"the system voltage's high word would be {high}";
            case BlockId.Eic:
                var state = payload[0];
                if ((state & 0xC0) != 0)
                {
                    return $"reserved system-state bits set (byte 0 = 0x{state:X2})";
                }
                return System.Numerics.BitOperations.PopCount(state) > 1
                    ? $"several exclusive system states at once (byte 0 = 0x{state:X2})"
                    : null;
            case BlockId.Sfa:
                return (payload[3] & 0xFE) == 0 ? null : $"reserved TB17 bits set (byte 3 = 0x{payload[3]:X2})";
            default:
                return null;
        }
    }

    private static int ExpectedPayload(ReplyCandidate candidate)
        => candidate.Block.IsCoils ? (candidate.Quantity + 7) / 8 : candidate.Quantity * 2;

    private static string Describe(ReplyCandidate candidate)
        => !candidate.IsWholeBlock ? $"{candidate.Block.Name} at 0x{candidate.Start:X4}"
            : candidate.Quantity == candidate.Block.Count ? candidate.Block.Name
            : $"{candidate.Block.Name} read with 0x{candidate.Quantity:X2} registers";

    private static string Names(IEnumerable<ReplyCandidate> candidates) => string.Join(" and ", candidates.Select(Describe));
}
