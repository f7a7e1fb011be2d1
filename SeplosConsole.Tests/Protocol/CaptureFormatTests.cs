using CsCheck;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;

namespace SeplosConsole.Tests.Protocol;

/// <summary>
/// Golden tests: the vendor PIA example (register reference S1) written the ways captures are
/// published decodes to the same two frames and the same values every time.
/// </summary>
public class CaptureFormatTests
{
    private static string[] Bytes(string frame) => frame.Split(' ');

    private static readonly string[] Request = Bytes(Frames.PiaRequest);
    private static readonly string[] Response = Bytes(Frames.PiaResponse);

    public static TheoryData<string, string, string> Formats => new()
    {
        { "spaces", string.Join(' ', Request), string.Join(' ', Response) },
        { "dots", string.Join('.', Request), string.Join('.', Response) },
        { "commas", string.Join(',', Request), string.Join(',', Response) },
        { "colons", string.Join(':', Request), string.Join(':', Response) },
        { "no separator", string.Concat(Request), string.Concat(Response) },
        { "0x prefixes and commas", string.Join(", ", Request.Select(b => "0x" + b)), string.Join(", ", Response.Select(b => "0x" + b)) },
        { ">>> / <<< markers, dots (issue 11)", ">>> " + string.Join('.', Request), "<<< " + string.Join('.', Response) },
        { "TX / RX markers", "TX: " + string.Join(' ', Request), "RX: " + string.Join(' ', Response) },
        { "TX / RX without colon", "TX " + string.Join(' ', Request), "RX " + string.Join(' ', Response) },
        { "> / < markers", "> " + string.Join(' ', Request), "< " + string.Join(' ', Response) },
        { "time of day and markers", "12:00:01.234 >>> " + string.Join(' ', Request), "12:00:01.262 <<< " + string.Join(' ', Response) },
        { "bracketed ISO timestamps, RX/TX, colon bytes", "[2024-05-14 10:00:01.100] TX: " + string.Join(':', Request), "[2024-05-14 10:00:01.130] RX: " + string.Join(':', Response) },
        { "bracketed seconds", "[   12.345] " + string.Join(' ', Request), "[   12.372] " + string.Join(' ', Response) },
        { "line numbers with colon", "17: " + string.Join(' ', Request), "18: " + string.Join(' ', Response) },
        { "line numbers with hash", "#17 " + string.Join(' ', Request), "#18 " + string.Join(' ', Response) },
        { "line number, time and marker", "17 12:00:01.234 > " + string.Join(' ', Request), "18 12:00:01.262 < " + string.Join(' ', Response) },
        { "line number before a marker", "17 >>> " + string.Join(' ', Request), "18 <<< " + string.Join(' ', Response) },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void The_vendor_pia_example_decodes_the_same_in_every_published_format(string format, string requestLine, string responseLine)
    {
        var result = DecodeSession.RunHex([requestLine, responseLine]);

        Assert.True(result.InputErrors.Count == 0, $"{format}: {string.Join("; ", result.InputErrors)}");
        Assert.Equal(2, result.Summary.ValidFrames);
        Assert.Equal(1, result.Summary.PairedResponses);
        var response = result.Items[1];
        Assert.Equal(("PIA", BlockSource.PairedRequest), (response.Block, response.BlockSource));
        Assert.Equal("52.81", response.Fields.Single(f => f.Key == "pack_voltage").Display);
        Assert.Equal("21.3", response.Fields.Single(f => f.Key == "average_cell_temp").Display);
    }

    [Theory]
    [InlineData("12:00:01.234 >>> 01 04", CaptureDirection.Sent, 43_201_234)]
    [InlineData("<<< 01 04", CaptureDirection.Received, null)]
    [InlineData("[2024-05-14T10:00:01,5Z] RX: 01", CaptureDirection.Received, 36_001_500)]
    [InlineData("[  3.250] 01 04", CaptureDirection.Unknown, 3_250)]
    [InlineData("01 04 10 00", CaptureDirection.Unknown, null)]
    public void A_line_prefix_gives_direction_and_time_and_leaves_only_bytes(string line, CaptureDirection direction, int? milliseconds)
    {
        var parsed = CaptureLine.Parse(line);

        Assert.Equal(direction, parsed.Direction);
        Assert.Equal(milliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null, parsed.Time);
        Assert.Equal(line.Length, parsed.Hex.Length);
        Assert.True(HexBytes.Parse(parsed.Hex).Ok, parsed.Hex);
    }

    [Theory]
    [InlineData("01:04:10:00:00:12:75:16")]
    [InlineData("12:00:01")]
    public void Colon_separated_hex_that_looks_like_a_time_stays_hex(string line)
    {
        var parsed = CaptureLine.Parse(line);

        Assert.Null(parsed.Time);
        Assert.Equal(Convert.FromHexString(line.Replace(":", "", StringComparison.Ordinal)), HexBytes.Parse(parsed.Hex).Bytes);
    }

    [Fact]
    public void Any_bytes_in_any_published_line_format_parse_back_to_the_same_bytes()
    {
        var prefixes = Gen.OneOfConst("", "17: ", "#17 ", "12:00:01.234 ", "[2024-05-14 10:00:01.100] ", "[  3.250] ", "17 12:00:01 ", "17 ");
        var markers = Gen.OneOfConst("", ">>> ", "<<< ", "TX: ", "RX ", "> ", "< ", "-> ");
        var separators = Gen.OneOfConst(" ", ".", ",", ":", ", ", "");
        Gen.Select(prefixes, markers, separators, Gen.Bool, Gen.Byte.Array[1, 64]).Sample((prefix, marker, separator, prefixed, bytes) =>
        {
            // A bare leading number is only a line number in front of a marker or a time.
            if (prefix == "17 " && marker == "")
            {
                return;
            }
            var line = prefix + marker + string.Join(separator, bytes.Select(b => (prefixed ? "0x" : "") + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
            if (prefixed && separator == "")
            {
                return; // "0x000x01" is no format anyone publishes
            }

            var parsed = HexBytes.Parse(CaptureLine.Parse(line).Hex);

            Assert.True(parsed.Ok, line + ": " + string.Join("; ", parsed.Errors));
            Assert.Equal(bytes, parsed.Bytes);
        });
    }
}
