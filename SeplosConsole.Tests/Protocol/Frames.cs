using SeplosConsole.Rtu;

namespace SeplosConsole.Tests.Protocol;

/// <summary>Frames and helpers shared by the protocol tests.</summary>
internal static class Frames
{
    // Vendor examples (register reference, "Vendor example frames", S1); all CRCs valid.
    public const string PiaRequest = "00 04 10 00 00 12 75 16";
    public const string PiaResponse = "00 04 24 14 A1 00 00 4E 20 4E 20 00 00 03 E8 03 E8 00 00 0C E4 0B 80 0C E6 0C E4 0B 82 0B 7F 00 00 00 B4 00 B4 03 E8 DB F6";
    public const string PibRequest = "00 04 11 00 00 1A 75 2C";
    public const string PibResponse = "00 04 34 0C E6 0C E4 0C E5 0C E4 0C E4 0C E5 0C E5 0C E4 0C E4 0C E4 0C E5 0C E5 0C E4 0C E5 0C E4 0C E4 0B 81 0B 82 0B 7F 0B 7F 0A AB 0A AB 0A AB 0A AB 0B 91 0B 83 34 DE";

    /// <summary>Lines `seplos decode` prints for the PIB example: the reference's decoded values.</summary>
    public static readonly string[] PibDecodedLines =
        ["cell_1 3.302 V", "cell_2 3.300 V", "cell_16 3.300 V", "cell_temp_1 21.4 °C", "cell_temp_4 21.2 °C", "environment_temp 23.0 °C", "power_temp 21.6 °C"];
    public const string PicRequest = "00 01 12 00 00 90 38 CF";
    public const string PicResponse = "00 01 12 00 00 00 00 00 00 00 00 10 00 00 00 00 00 00 03 00 00 6A 24";

    public static byte[] Hex(string text)
    {
        var parsed = HexBytes.Parse(text);
        Assert.Empty(parsed.Errors);
        return parsed.Bytes;
    }

    /// <summary>Copies <paramref name="body"/> and appends its CRC (low byte first).</summary>
    public static byte[] Sealed(params byte[] body)
    {
        var frame = new byte[body.Length + 2];
        body.CopyTo(frame, 0);
        Crc16Modbus.Seal(frame);
        return frame;
    }

    /// <summary>Cuts <paramref name="bytes"/> into chunks of the given sizes, cycling through them.</summary>
    public static List<byte[]> Split(byte[] bytes, int[] sizes)
    {
        var chunks = new List<byte[]>();
        var at = 0;
        for (var i = 0; at < bytes.Length; i++)
        {
            var size = Math.Min(Math.Max(1, sizes[i % sizes.Length]), bytes.Length - at);
            chunks.Add(bytes[at..(at + size)]);
            at += size;
        }
        return chunks;
    }
}
