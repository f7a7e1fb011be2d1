using CsCheck;
using SeplosConsole.Rtu;

namespace SeplosConsole.Tests.Protocol;

public class Crc16ModbusTests
{
    [Theory]
    // The standard check value of CRC-16/MODBUS (catalogue of parametrised CRC algorithms).
    [InlineData("31 32 33 34 35 36 37 38 39", 0x4B37)]
    [InlineData("", 0xFFFF)]
    // Vendor request frames: the CRC is the last two bytes, low byte first.
    [InlineData("00 04 10 00 00 12", 0x1675)]
    [InlineData("00 04 11 00 00 1A", 0x2C75)]
    [InlineData("00 01 12 00 00 90", 0xCF38)]
    public void Computes_known_vectors(string hex, int crc)
        => Assert.Equal((ushort)crc, Crc16Modbus.Compute(Frames.Hex(hex)));

    [Theory]
    [InlineData(Frames.PiaResponse)]
    [InlineData(Frames.PibResponse)]
    [InlineData(Frames.PicResponse)]
    [InlineData("00 84 02 93 01")]
    public void Vendor_and_captured_frames_are_valid(string hex)
        => Assert.True(Crc16Modbus.IsValidFrame(Frames.Hex(hex)));

    [Fact]
    public void A_sealed_frame_is_valid_and_any_single_bit_flip_breaks_it()
    {
        var gen = Gen.Select(Gen.Byte.Array[2, 64], Gen.Int[0, int.MaxValue]);
        gen.Sample((body, flipSeed) =>
        {
            var frame = Frames.Sealed(body);
            Assert.True(Crc16Modbus.IsValidFrame(frame));

            // CRC-16 detects every single-bit error.
            var bit = flipSeed % (frame.Length * 8);
            frame[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Crc16Modbus.IsValidFrame(frame));
        }, iter: 500);
    }

    [Fact]
    public void Frames_shorter_than_four_bytes_are_never_valid()
        => Assert.False(Crc16Modbus.IsValidFrame([0xFF, 0xFF, 0xFF]));
}
