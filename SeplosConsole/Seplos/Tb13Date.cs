using System.Globalization;

namespace SeplosConsole.Seplos;

/// <summary>
/// Table TB13 of the register reference: a date in 8 bytes (4 registers) — Year_Low, Year_High,
/// Month, Day, Hour, Minute, Second, reserved — so register 0x1500 = (Year_Low &lt;&lt; 8) | Year_High.
/// A real read (register reference, SCA) was 0xE807 0x050E 0x0009 0x3434 = 2024-05-14 00:09:52.
/// The date carries no time zone: the pack keeps whatever wall clock it was set to.
/// </summary>
public static class Tb13Date
{
    /// <summary>Bytes of a TB13 date (4 registers).</summary>
    public const int Length = 8;

    /// <summary>The date in the 8 bytes, or null when they are not a valid date (a pack never set, noise).</summary>
    public static DateTime? Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Length)
        {
            return null;
        }
        var year = bytes[0] | (bytes[1] << 8);
        int month = bytes[2], day = bytes[3], hour = bytes[4], minute = bytes[5], second = bytes[6];
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return null;
        }
        return new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
    }

    /// <summary>Writes <paramref name="date"/> (to the second) and the reserved byte into 8 bytes.</summary>
    public static void Encode(DateTime date, Span<byte> bytes, byte reserved = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes.Length, Length, nameof(bytes));
        bytes[0] = (byte)date.Year;
        bytes[1] = (byte)(date.Year >> 8);
        bytes[2] = (byte)date.Month;
        bytes[3] = (byte)date.Day;
        bytes[4] = (byte)date.Hour;
        bytes[5] = (byte)date.Minute;
        bytes[6] = (byte)date.Second;
        bytes[7] = reserved;
    }

    /// <summary>The 4 register values of a date, as an fc 0x10 write sends them.</summary>
    public static ushort[] Registers(DateTime date, byte reserved = 0)
    {
        Span<byte> bytes = stackalloc byte[Length];
        Encode(date, bytes, reserved);
        var registers = new ushort[Length / 2];
        for (var i = 0; i < registers.Length; i++)
        {
            registers[i] = (ushort)((bytes[2 * i] << 8) | bytes[(2 * i) + 1]);
        }
        return registers;
    }

    /// <summary>"2024-05-14 00:09:52"; the form every output of this program uses for a pack date.</summary>
    public static string Format(DateTime date) => date.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The date as text, or what the bytes were when they are no date.</summary>
    public static string Describe(ReadOnlySpan<byte> bytes)
        => Decode(bytes) is { } date ? Format(date) : $"invalid date ({Convert.ToHexString(bytes[..Math.Min(bytes.Length, Length)])})";
}
