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
    public async Task Input_where_nothing_decodes_exits_1_with_a_hint_about_the_format_never_a_crash(string input)
    {
        var result = await CliRunner.RunAsync(["decode"], input: input);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("summary:", result.Lines[^1]);
        Assert.Contains("no valid frame found. Expected hex bytes", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task A_published_capture_with_markers_and_dotted_hex_decodes_every_frame()
    {
        // The shape of the issue 11 report: direction markers and dotted bytes (vendor PIA example).
        var input = $">>> {Frames.PiaRequest.Replace(' ', '.')}\n<<< {Frames.PiaResponse.Replace(' ', '.')}\n";

        var result = await CliRunner.RunAsync(["decode"], input: input);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("summary: 2 valid frame(s) (1 request(s), 1 response(s), 0 exception(s), 1 paired, 2 identified)", result.Lines[^1]);
        Assert.Contains("pack_voltage 52.81 V", result.Lines);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Binary_input_is_echoed_escaped_and_its_warnings_are_capped_with_a_count()
    {
        var input = string.Concat(Enumerable.Repeat("\u001b[2J\u0007zz ", 500));

        var result = await CliRunner.RunAsync(["decode"], input: input);

        Assert.DoesNotContain('\u001b', result.Error);
        Assert.DoesNotContain('\u0007', result.Error);
        Assert.Contains(@"'\x1B[2J\x07zz' skipped", result.Error);
        var warnings = result.Error.Split('\n').Where(l => l.StartsWith("warning:", StringComparison.Ordinal)).ToList();
        Assert.Equal(11, warnings.Count);
        Assert.Equal("warning: 490 more token(s) skipped (not shown; 500 in all)", warnings[^1]);
    }

    [Fact]
    public async Task A_long_bad_token_is_quoted_to_64_characters_and_an_ellipsis()
    {
        var token = new string('g', 100_000);

        var result = await CliRunner.RunAsync(["decode", token]);

        Assert.Contains($"'{new string('g', 64)}…' skipped", result.Error);
        Assert.True(result.Error.Length < 1000, $"stderr is {result.Error.Length} characters");
    }

    [Fact]
    public async Task Decode_without_input_on_a_terminal_says_what_it_waits_for()
    {
        var result = await CliRunner.RunAsync(["decode"], input: "", interactive: true);

        Assert.StartsWith("decode: reading hex bytes from the terminal", result.Error);
        Assert.Contains("Ctrl+D", result.Error);
    }

    [Fact]
    public async Task A_vendor_request_for_0x0900_coils_is_a_frame_with_a_note_and_its_exception_is_paired()
    {
        var result = await CliRunner.RunAsync(["decode", "01 01 12 00 09 00 3F 22", "01 81 02 C1 91"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.Lines, l => l.Contains("request address 0x01 fc 0x01 (read coils)", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.Contains("asks for 0x0900 (2304) coils, more than the Modbus limit of 2000", StringComparison.Ordinal));
        Assert.StartsWith("summary: 2 valid frame(s) (1 request(s), 0 response(s), 1 exception(s), 1 paired", result.Lines[^1]);
    }

    [Fact]
    public async Task A_missing_capture_file_is_a_clear_failure()
    {
        var result = await CliRunner.RunAsync(["decode", "--capture", "nope.txt"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("nope.txt does not exist", result.Error);
    }
}
