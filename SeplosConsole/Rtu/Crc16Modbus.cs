namespace SeplosConsole.Rtu;

/// <summary>
/// CRC-16/MODBUS: polynomial 0xA001 (reflected 0x8005), initial value 0xFFFF, no final XOR,
/// sent low byte first (register reference, "Link").
/// </summary>
public static class Crc16Modbus
{
    private static readonly ushort[] Table = BuildTable();

    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort crc = 0xFFFF;
        foreach (var b in data)
        {
            crc = (ushort)((crc >> 8) ^ Table[(crc ^ b) & 0xFF]);
        }
        return crc;
    }

    /// <summary>True when the last two bytes of <paramref name="frame"/> are the CRC of the rest.</summary>
    public static bool IsValidFrame(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 4)
        {
            return false;
        }
        var crc = Compute(frame[..^2]);
        return frame[^2] == (byte)crc && frame[^1] == (byte)(crc >> 8);
    }

    /// <summary>Writes the CRC of <paramref name="frame"/>[..^2] into its last two bytes.</summary>
    public static void Seal(Span<byte> frame)
    {
        var crc = Compute(frame[..^2]);
        frame[^2] = (byte)crc;
        frame[^1] = (byte)(crc >> 8);
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (ushort)((crc >> 1) ^ 0xA001) : (ushort)(crc >> 1);
            }
            table[i] = crc;
        }
        return table;
    }
}
