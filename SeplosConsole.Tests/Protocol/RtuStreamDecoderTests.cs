using CsCheck;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;

namespace SeplosConsole.Tests.Protocol;

public class RtuStreamDecoderTests
{
    private static readonly byte[] Addresses = [0x00, 0x01, 0x07, 0x0F, 0xC0, 0xE0];

    /// <summary>Any frame the bus can carry, sealed with its CRC.</summary>
    private static readonly Gen<byte[]> GenFrame = Gen.OneOf(
        // read request: addr, fc, start, quantity
        Gen.Select(Gen.OneOfConst(Addresses), Gen.OneOfConst<byte>(0x01, 0x04), Gen.UShort, Gen.Int[1, 125])
            .Select((a, fc, start, n) => Frames.Sealed(a, fc, (byte)(start >> 8), (byte)start, 0, (byte)n)),
        // read response: addr, fc, byte count, data
        Gen.Select(Gen.OneOfConst(Addresses), Gen.OneOfConst<byte>(0x01, 0x04), Gen.Byte.Array[1, 60])
            .Select((a, fc, data) => Frames.Sealed([a, fc, (byte)(data.Length * 2), .. data, .. data])),
        // exception response
        Gen.Select(Gen.OneOfConst(Addresses), Gen.OneOfConst<byte>(0x81, 0x84, 0x90), Gen.OneOfConst<byte>(0x01, 0x02, 0x03, 0x04, 0x81))
            .Select((a, fc, code) => Frames.Sealed(a, fc, code)),
        // write request: addr, 0x10, start, count, byte count, values
        Gen.Select(Gen.OneOfConst(Addresses), Gen.UShort, Gen.Byte.Array[2, 20])
            .Select((a, start, values) => Frames.Sealed([a, 0x10, (byte)(start >> 8), (byte)start, 0, (byte)(values.Length / 2), (byte)(values.Length / 2 * 2), .. values[..(values.Length / 2 * 2)]])),
        // write confirmation
        Gen.Select(Gen.OneOfConst(Addresses), Gen.UShort, Gen.Int[1, 123])
            .Select((a, start, n) => Frames.Sealed(a, 0x10, (byte)(start >> 8), (byte)start, 0, (byte)n)));

    [Fact]
    public void Frames_split_anywhere_with_garbage_between_are_recovered_in_order()
    {
        // A frame that also reads as another valid frame (a chance CRC match, about 1 in 65 536)
        // is ambiguous by nature; leave those out.
        var frames = GenFrame.Where(IsUnambiguous).Array[1, 8];
        var gen = Gen.Select(frames, Gen.Byte.Array[0, 12].Array[9], Gen.Int[1, 40].Array[1, 10]);
        gen.Sample((expected, garbage, sizes) =>
        {
            var stream = new List<byte>();
            for (var i = 0; i < expected.Length; i++)
            {
                stream.AddRange(garbage[i]);
                stream.AddRange(expected[i]);
            }
            stream.AddRange(garbage[^1]);

            var items = DecodeAll(Frames.Split([.. stream], sizes));

            Assert.Equal(expected.Select(Convert.ToHexString), items.OfType<RtuFrame>().Select(f => Convert.ToHexString(f.Bytes.Span)));
            AssertCoversStream(items, stream.Count);
        }, iter: 300);
    }

    [Fact]
    public void Random_bytes_never_throw_and_every_byte_is_reported_once_whatever_the_split()
    {
        var gen = Gen.Select(Gen.Byte.Array[0, 700], Gen.Int[1, 300].Array[1, 6]);
        gen.Sample((bytes, sizes) =>
        {
            var items = DecodeAll(Frames.Split(bytes, sizes));

            AssertCoversStream(items, bytes.Length);
            Assert.Equal(Describe(DecodeAll([bytes])), Describe(items));
            foreach (var item in items)
            {
                FrameInterpreter.Interpret(item);
            }
        }, iter: 300);
    }

    [Fact]
    public void Request_and_response_of_the_same_address_and_function_are_paired()
    {
        var decoder = new RtuStreamDecoder();
        var items = decoder.Feed([.. Frames.Hex(Frames.PiaRequest), .. Frames.Hex(Frames.PicRequest), .. Frames.Hex(Frames.PiaResponse), .. Frames.Hex(Frames.PicResponse)]);

        var frames = items.OfType<RtuFrame>().ToList();
        Assert.Equal(4, frames.Count);
        Assert.Same(frames[0], frames[2].Request);
        Assert.Same(frames[1], frames[3].Request);
        Assert.Equal(new RtuStreamCounts(4, 2, 2, 0, 2, 0, 0), decoder.Counts);
    }

    [Fact]
    public void A_response_whose_size_does_not_fit_the_request_is_not_paired()
    {
        var decoder = new RtuStreamDecoder();
        var items = decoder.Feed([.. Frames.Hex(Frames.PibRequest), .. Frames.Hex(Frames.PiaResponse)]);

        Assert.Null(items.OfType<RtuFrame>().Last().Request);
    }

    [Fact]
    public void A_partial_frame_waits_for_more_and_flush_reports_it_as_bad_bytes()
    {
        var decoder = new RtuStreamDecoder();
        var response = Frames.Hex(Frames.PiaResponse);

        Assert.Empty(decoder.Feed(response.AsSpan(0, 20)));
        Assert.Equal(20, decoder.PendingBytes);
        var bad = Assert.IsType<RtuBadBytes>(Assert.Single(decoder.Flush()));
        Assert.Equal(20, bad.Length);
        Assert.Equal(0, decoder.Counts.ValidFrames);
        Assert.Equal(20, decoder.Counts.BadBytes);
    }

    [Fact]
    public void A_shorter_frame_inside_leftover_bytes_is_still_found_at_flush()
    {
        // "00 04 FA" claims a 255-byte reply that never comes; the exception after it is real.
        var decoder = new RtuStreamDecoder();
        Assert.Empty(decoder.Feed([0x00, 0x04, 0xFA, 0x00, 0x84, 0x02, 0x93, 0x01]));

        var items = decoder.Flush();

        Assert.Equal("00 04 FA", Assert.IsType<RtuBadBytes>(items[0]).Hex);
        Assert.Equal(RtuFrameKind.ExceptionResponse, Assert.IsType<RtuFrame>(items[1]).Kind);
    }

    [Fact]
    public void Crc_failure_slides_one_byte_and_finds_the_next_frame()
    {
        var damaged = Frames.Hex(Frames.PiaRequest);
        damaged[3] ^= 0x40;
        var items = DecodeAll([[.. damaged, .. Frames.Hex(Frames.PicRequest)]]);

        Assert.Equal(8, Assert.IsType<RtuBadBytes>(items[0]).Length);
        Assert.Equal(Frames.PicRequest, Assert.IsType<RtuFrame>(items[1]).Hex);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Capture_yields_175_frames_90_exceptions_65_pct_and_20_pic_responses(bool linesAreBursts)
    {
        var decoder = new RtuStreamDecoder();
        var items = new List<RtuStreamItem>();
        foreach (var line in CaptureLines())
        {
            items.AddRange(decoder.Feed(line));
            if (linesAreBursts)
            {
                items.AddRange(decoder.Flush());
            }
        }
        items.AddRange(decoder.Flush());

        var frames = items.OfType<RtuFrame>().ToList();
        Assert.Equal(175, frames.Count);
        Assert.Equal(90, frames.Count(f => f is { Kind: RtuFrameKind.ExceptionResponse, Address: 0x00, FunctionCode: 0x84, ExceptionCode: ModbusExceptionCode.IllegalDataAddress }));
        Assert.Equal(65, frames.Count(f => f is { Kind: RtuFrameKind.Response, Address: 0xE0, Function: ModbusFunction.ReadInputRegisters, Length: 77 }));
        Assert.Equal(20, frames.Count(f => f is { Kind: RtuFrameKind.Response, Address: 0x01, Function: ModbusFunction.ReadCoils, Length: 23 }));
        var counts = decoder.Counts;
        Assert.Equal((175, 0, 85, 90), (counts.ValidFrames, counts.Requests, counts.Responses, counts.Exceptions));
        AssertCoversStream(items, CaptureLines().Sum(l => l.Length));
    }

    [Fact]
    public void Capture_decodes_through_the_session_with_pct_and_pic_found_by_length()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "sp05b-capture.txt");
        var result = DecodeSession.RunHex(File.ReadLines(path), new DecodeOptions { ChunksAreBursts = true });

        Assert.Empty(result.InputErrors);
        Assert.Equal(175, result.Summary.ValidFrames);
        Assert.Equal(85, result.Summary.IdentifiedFrames);
        var pct = result.Items.First(i => i is { CrcOk: true, Block: "PCT" });
        Assert.Equal("MultiPlus-II 48/3000/35", pct.Fields.Single(f => f.Key == "inverter_name").Text);
        Assert.Equal("Victron Can Protocol", pct.Fields.Single(f => f.Key == "inverter_protocol_name").Text);
        Assert.Equal("500", pct.Fields.Single(f => f.Key == "inverter_can_rate").Display);
    }

    internal static List<byte[]> CaptureLines()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "sp05b-capture.txt");
        return [.. File.ReadLines(path).Where(l => l.Trim().Length > 0).Select(Frames.Hex)];
    }

    private static List<RtuStreamItem> DecodeAll(IEnumerable<byte[]> chunks)
    {
        var decoder = new RtuStreamDecoder();
        var items = new List<RtuStreamItem>();
        foreach (var chunk in chunks)
        {
            items.AddRange(decoder.Feed(chunk));
        }
        items.AddRange(decoder.Flush());
        return items;
    }

    private static bool IsUnambiguous(byte[] frame)
    {
        var items = DecodeAll([frame]);
        return items.Count == 1 && items[0] is RtuFrame decoded && decoded.Length == frame.Length;
    }

    /// <summary>Items follow each other without gaps or overlaps and cover the whole stream.</summary>
    private static void AssertCoversStream(IReadOnlyList<RtuStreamItem> items, long length)
    {
        long next = 0;
        foreach (var item in items)
        {
            Assert.Equal(next, item.Offset);
            Assert.True(item.Length > 0);
            next += item.Length;
        }
        Assert.Equal(length, next);
    }

    private static List<string> Describe(IEnumerable<RtuStreamItem> items) => [.. items.Select(i => i.ToString() ?? "")];
}
