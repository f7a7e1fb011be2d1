using SeplosConsole.Rtu;

namespace SeplosConsole.Tests.Protocol;

public class HexBytesTests
{
    [Theory]
    [InlineData("00 04 10")]
    [InlineData("0x00 0x04 0x10")]
    [InlineData("000410")]
    [InlineData("0x000410")]
    [InlineData("00,04,10")]
    [InlineData("  00\t04 , 0X10  # comment 99")]
    [InlineData("0 4 10")]
    public void Accepts_the_ways_people_write_hex(string text)
    {
        var result = HexBytes.Parse(text);

        Assert.True(result.Ok);
        Assert.Equal(new byte[] { 0x00, 0x04, 0x10 }, result.Bytes);
    }

    [Fact]
    public void Reports_bad_tokens_with_their_place_and_keeps_the_good_bytes()
    {
        var result = HexBytes.Parse("00 zz 04A 0x 10", lineNumber: 3);

        Assert.Equal(new byte[] { 0x00, 0x10 }, result.Bytes);
        Assert.Equal(
            [new HexTokenError(3, 4, "zz", "not a hex number"), new HexTokenError(3, 7, "04A", "odd number of hex digits"), new HexTokenError(3, 11, "0x", "no hex digits")],
            result.Errors);
    }

    [Fact]
    public void Null_and_empty_input_give_no_bytes()
    {
        Assert.Empty(HexBytes.Parse(null).Bytes);
        Assert.Empty(HexBytes.Parse("").Bytes);
    }

    [Fact]
    public void Formats_upper_case_with_single_spaces()
        => Assert.Equal("00 0A FF", HexBytes.Format([0x00, 0x0A, 0xFF]));
}
