using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Recording;

/// <summary>
/// The text format of a recording (docs/recordings.md): what came off the bus, block by block,
/// never decoded values, so a recording replays through today's decoder.
/// <code>
/// #seplos-recording 1 2026-12-01T14:00:00.000Z       header: format version, time base (UTC)
/// 1000 0 PIA~84:-3,1 PIB/38~200:2 PIC/71            one line per update of a pack
/// </code>
/// A line is: milliseconds since the previous line (or the header), the pack address, then one
/// item per block read: the block's name, <c>/ms</c> after the line's time when not 0, and its
/// payload as <c>=HEX</c> (all of it), <c>~MASK:d,d…</c> (the units that changed, MASK in hex
/// with bit i for unit i, each d the signed change of that unit) or nothing (same as before).
/// A unit is a register (2 bytes) of a register block, a byte of a coil block.
/// </summary>
public static class RecordingFormat
{
    public const string Magic = "#seplos-recording";
    public const int Version = 1;

    /// <summary>File name suffix of a recording; finished days of a rotated recording get ".gz" after it.</summary>
    public const string Extension = ".rec";

    public static string Header(DateTimeOffset timeBase)
        => $"{Magic} {Version} {timeBase.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}";

    /// <summary>The header's time base, or null when the line is not a header this version reads.</summary>
    public static DateTimeOffset? ParseHeader(string line)
    {
        var parts = line.Split(' ');
        return parts.Length == 3 && parts[0] == Magic && parts[1] == Version.ToString(CultureInfo.InvariantCulture)
            && DateTimeOffset.TryParseExact(parts[2], "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
    }

    /// <summary>Bytes per unit of a block's payload: a register, or a coil byte.</summary>
    public static int UnitSize(BlockId block) => SeplosMap.Block(block).IsCoils ? 1 : 2;

    /// <summary>Payload bytes a reading of the block holds, by the map.</summary>
    public static int PayloadLength(BlockId block) => SeplosMap.Block(block).PayloadLength;

    /// <summary>
    /// Appends the payload part of an item: nothing when equal to <paramref name="previous"/>,
    /// the changed units when that is shorter than the whole, else the whole in hex.
    /// </summary>
    public static void AppendPayload(StringBuilder line, BlockId block, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> previous, bool forceWhole)
    {
        if (!forceWhole && payload.SequenceEqual(previous))
        {
            return;
        }
        var start = line.Length;
        if (!forceWhole && previous.Length == payload.Length && AppendChanges(line, UnitSize(block), payload, previous) < payload.Length * 2)
        {
            return;
        }
        line.Length = start;
        line.Append('=').Append(Convert.ToHexString(payload));
    }

    private static int AppendChanges(StringBuilder line, int unit, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> previous)
    {
        var start = line.Length;
        var units = payload.Length / unit;
        // A mask of up to 106 units (SPA): a UInt128 holds it.
        UInt128 mask = 0;
        for (var i = 0; i < units; i++)
        {
            if (Unit(payload, unit, i) != Unit(previous, unit, i))
            {
                mask |= UInt128.One << i;
            }
        }
        line.Append('~').Append(mask.ToString("x", CultureInfo.InvariantCulture)).Append(':');
        var first = true;
        for (var i = 0; i < units; i++)
        {
            if ((mask & (UInt128.One << i)) == 0)
            {
                continue;
            }
            if (!first)
            {
                line.Append(',');
            }
            first = false;
            line.Append(Change(unit, Unit(previous, unit, i), Unit(payload, unit, i)).ToString(CultureInfo.InvariantCulture));
        }
        return line.Length - start;
    }

    private static int Unit(ReadOnlySpan<byte> bytes, int unit, int index)
        => unit == 1 ? bytes[index] : BinaryPrimitives.ReadUInt16BigEndian(bytes[(index * 2)..]);

    /// <summary>The signed change from old to new, wrapped to the unit's width (0xFFFF → 0x0000 is +1).</summary>
    private static int Change(int unit, int old, int now) => unit == 1 ? (sbyte)(byte)(now - old) : (short)(ushort)(now - old);

    /// <summary>
    /// Rebuilds a payload from an item's payload text and the block's previous payload; null when
    /// the text is malformed, has the wrong length, or needs a previous payload there is none of.
    /// </summary>
    public static byte[]? ParsePayload(BlockId block, ReadOnlySpan<char> text, byte[]? previous)
    {
        var length = PayloadLength(block);
        if (text.IsEmpty)
        {
            return previous;
        }
        if (text[0] == '=')
        {
            try
            {
                var bytes = Convert.FromHexString(text[1..]);
                return bytes.Length == length ? bytes : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
        if (text[0] != '~' || previous is null || previous.Length != length)
        {
            return null;
        }
        var colon = text.IndexOf(':');
        if (colon < 0 || !UInt128.TryParse(text[1..colon], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var mask))
        {
            return null;
        }
        var unit = UnitSize(block);
        var units = length / unit;
        if (units < 128 && mask >> units != 0)
        {
            return null;
        }
        var result = (byte[])previous.Clone();
        var changes = text[(colon + 1)..];
        for (var i = 0; i < units; i++)
        {
            if ((mask & (UInt128.One << i)) == 0)
            {
                continue;
            }
            var comma = changes.IndexOf(',');
            var number = comma < 0 ? changes : changes[..comma];
            if (!int.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var change))
            {
                return null;
            }
            var now = Unit(previous, unit, i) + change;
            if (unit == 1)
            {
                result[i] = (byte)now;
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(i * 2), (ushort)now);
            }
            changes = comma < 0 ? [] : changes[(comma + 1)..];
            if (comma < 0 && (mask >> (i + 1)) != 0)
            {
                return null; // fewer changes than the mask names
            }
        }
        return changes.IsEmpty ? result : null;
    }

    /// <summary>The block a recording names, by the map's block names (PIA, PIB …).</summary>
    public static BlockId? BlockNamed(ReadOnlySpan<char> name)
    {
        foreach (var block in SeplosMap.Blocks)
        {
            if (name.SequenceEqual(block.Name))
            {
                return block.Id;
            }
        }
        return null;
    }
}
