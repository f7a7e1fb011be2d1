using System.Text.Json;
using SeplosConsole.Tests.Protocol;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Cli;

public class DecodeCommandTests
{
    [Fact]
    public async Task The_vendor_PIB_example_decodes_to_the_reference_values()
    {
        var result = await CliRunner.RunAsync(["decode", .. $"{Frames.PibRequest} {Frames.PibResponse}".Split(' ')]);

        Assert.Equal(0, result.ExitCode);
        Assert.All(Frames.PibDecodedLines, line => Assert.Contains(line, result.Lines));
        Assert.Contains(result.Lines, l => l.StartsWith("summary: 2 valid frame(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Frames_on_stdin_are_decoded_as_json_one_object_per_frame()
    {
        var result = await CliRunner.RunAsync(["decode", "--json"], input: "00 01 12 00 00 00 00 00 00 00 00 10 00 00 00 00 00 00 03 00 00 6A 24\n");

        Assert.Equal(0, result.ExitCode);
        using var frame = JsonDocument.Parse(result.Lines[0]);
        Assert.Equal("PIC", frame.RootElement.GetProperty("block").GetString());
        var flags = frame.RootElement.GetProperty("active_flags").EnumerateArray().Select(f => f.GetProperty("key").GetString()).ToList();
        Assert.Equal(["standby", "discharge_fet_on", "charge_fet_on"], flags);
        using var summary = JsonDocument.Parse(result.Lines[^1]);
        Assert.Equal(1, summary.RootElement.GetProperty("summary").GetProperty("valid_frames").GetInt32());
    }

    [Fact]
    public async Task The_dirty_capture_yields_every_valid_frame_and_counts_the_rest()
    {
        var capture = Path.Combine(AppContext.BaseDirectory, "TestData", "sp05b-capture.txt");

        var result = await CliRunner.RunAsync(["decode", "--capture", capture]);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("summary: 175 valid frame(s) (0 request(s), 85 response(s), 90 exception(s)", result.Lines[^1]);
    }

    [Theory]
    [InlineData("zz 00 04")]
    [InlineData("00 04 24 14")]
    [InlineData("")]
    [InlineData("0x 0x0 ,,, 12345")]
    public async Task Garbage_input_is_reported_never_a_crash(string input)
    {
        var result = await CliRunner.RunAsync(["decode"], input: input);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("summary:", result.Lines[^1]);
    }

    [Fact]
    public async Task A_missing_capture_file_is_a_clear_failure()
    {
        var result = await CliRunner.RunAsync(["decode", "--capture", "nope.txt"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("nope.txt does not exist", result.Error);
    }
}
