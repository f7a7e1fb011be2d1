using System.Buffers.Binary;
using System.Text;

namespace SeplosConsole.Seplos;

/// <summary>Turns block payloads into field values and flags, and back (for the simulator), by the map.</summary>
public static class SeplosCodec
{
    public static FieldReading DecodeField(FieldDefinition field, ReadOnlySpan<byte> payload)
    {
        var at = field.Offset * 2;
        switch (field.Type)
        {
            case RegisterType.Ascii:
                var bytes = payload.Slice(at, field.Registers * 2);
                var end = bytes.IndexOf((byte)0);
                var text = Encoding.ASCII.GetString(end < 0 ? bytes : bytes[..end]).Trim();
                return new FieldReading(field, 0, null, text);
            case RegisterType.U16:
                var u16 = BinaryPrimitives.ReadUInt16BigEndian(payload[at..]);
                return new FieldReading(field, u16, field.ToValue(u16), null);
            case RegisterType.I16:
                var i16 = BinaryPrimitives.ReadInt16BigEndian(payload[at..]);
                return new FieldReading(field, i16, field.ToValue(i16), null);
            case RegisterType.U32LowWordFirst:
            case RegisterType.I32LowWordFirst:
                var low = BinaryPrimitives.ReadUInt16BigEndian(payload[at..]);
                var high = BinaryPrimitives.ReadUInt16BigEndian(payload[(at + 2)..]);
                var u32 = ((uint)high << 16) | low;
                long raw = field.Type == RegisterType.I32LowWordFirst ? (int)u32 : u32;
                return new FieldReading(field, raw, field.ToValue(raw), null);
            case RegisterType.Tb13Date:
                return new FieldReading(field, 0, null, Tb13Date.Describe(payload.Slice(at, Tb13Date.Length)));
            default:
                throw new InvalidOperationException($"{field.Key} is derived, not a register");
        }
    }

    /// <summary>
    /// The fields the payload holds. A pack may answer a shorter read than the whole block (PIA
    /// with 0x11 registers, <see cref="RegisterBlock.FallbackCount"/>): fields past its end are not
    /// in it, and are left out, never decoded as 0.
    /// </summary>
    public static IEnumerable<FieldReading> DecodeFields(BlockReading reading)
    {
        foreach (var field in SeplosMap.FieldsOf(reading.Block))
        {
            if (IsInPayload(field, reading.Payload.Length))
            {
                yield return DecodeField(field, reading.Payload.Span);
            }
        }
    }

    public static bool IsInPayload(FieldDefinition field, int payloadBytes) => (field.Offset + field.Registers) * 2 <= payloadBytes;

    public static bool DecodeFlag(FlagDefinition flag, ReadOnlySpan<byte> coilBytes)
        => flag.ByteIndex < coilBytes.Length && (coilBytes[flag.ByteIndex] & (1 << flag.BitInByte)) != 0;

    /// <summary>Writes a raw value into a block payload at the field's place.</summary>
    public static void EncodeRaw(FieldDefinition field, long raw, Span<byte> payload)
    {
        var at = field.Offset * 2;
        switch (field.Type)
        {
            case RegisterType.U16:
            case RegisterType.I16:
                BinaryPrimitives.WriteUInt16BigEndian(payload[at..], unchecked((ushort)raw));
                break;
            case RegisterType.U32LowWordFirst:
            case RegisterType.I32LowWordFirst:
                var u32 = unchecked((uint)raw);
                BinaryPrimitives.WriteUInt16BigEndian(payload[at..], (ushort)u32);
                BinaryPrimitives.WriteUInt16BigEndian(payload[(at + 2)..], (ushort)(u32 >> 16));
                break;
            default:
                throw new InvalidOperationException($"{field.Key} has no raw number");
        }
    }

    /// <summary>Writes an engineering value; throws when it does not fit the register.</summary>
    public static void EncodeValue(FieldDefinition field, double value, Span<byte> payload)
        => EncodeRaw(field, field.ToRaw(value) ?? throw new ArgumentOutOfRangeException(nameof(value), $"{value} does not fit {field.Key}"), payload);

    public static void EncodeText(FieldDefinition field, string text, Span<byte> payload)
    {
        var target = payload.Slice(field.Offset * 2, field.Registers * 2);
        target.Clear();
        Encoding.ASCII.GetBytes(text.AsSpan(0, Math.Min(text.Length, target.Length)), target);
    }

    public static void EncodeFlag(FlagDefinition flag, bool on, Span<byte> coilBytes)
    {
        if (on)
        {
            coilBytes[flag.ByteIndex] |= (byte)(1 << flag.BitInByte);
        }
        else
        {
            coilBytes[flag.ByteIndex] &= (byte)~(1 << flag.BitInByte);
        }
    }
}
