using System.Text.Json;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Cli;

public class DecodeCommandTests
{
    // Vendor example frames (S1), from the register reference.
    private const string PibRequest = "00 04 11 00 00 1A 75 2C";
    private const string PibResponse = "00 04 34 0C E6 0C E4 0C E5 0C E4 0C E4 0C E5 0C E5 0C E4 0C E4 0C E4 0C E5 0C E5 0C E4 0C E5 0C E4 0C E4 0B 81 0B 82 0B 7F 0B 7F 0A AB 0A AB 0A AB 0A AB 0B 91 0B 83 34 DE";

    [Fact]
    public async Task The_vendor_PIB_example_decodes_to_the_reference_values()
    {
        var result = await CliRunner.RunAsync(["decode", .. $"{PibRequest} {PibResponse}".Split(' ')]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("cell_1 3.302 V", result.Lines);
        Assert.Contains("cell_2 3.300 V", result.Lines);
        Assert.Contains("cell_16 3.300 V", result.Lines);
        Assert.Contains("cell_temp_1 21.4 °C", result.Lines);
        Assert.Contains("cell_temp_4 21.2 °C", result.Lines);
        Assert.Contains("environment_temp 23.0 °C", result.Lines);
        Assert.Contains("power_temp 21.6 °C", result.Lines);
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
