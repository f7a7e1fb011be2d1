using System.Text.Json;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Cli;

public class WatchCommandTests
{
    [Fact]
    public async Task Watch_json_prints_one_snake_case_object_per_poll_each_a_whole_poll()
    {
        var result = await CliRunner.RunAsync(["--simulate", "watch", "--json", "--count", "2"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, result.Lines.Length);
        foreach (var line in result.Lines)
        {
            var reading = JsonDocument.Parse(line).RootElement;
            Assert.Equal(0, reading.GetProperty("address").GetInt32());
            Assert.Equal("online", reading.GetProperty("state").GetString());
            // The first poll is printed once, with its slow blocks, not twice.
            Assert.Contains("SFA", reading.GetProperty("blocks").EnumerateArray().Select(b => b.GetString()));
            Assert.True(reading.GetProperty("values").GetProperty("pack_voltage").GetDouble() > 40);
            Assert.Contains("cell_over_voltage_protection_enabled", reading.GetProperty("switches_enabled").EnumerateArray().Select(s => s.GetString()));
            // The simulator serves the real master's SFA image: TB11 has two bits no document names.
            Assert.Equal([(5, 1), (5, 5)], reading.GetProperty("unknown_bits").EnumerateArray().Select(b => (b.GetProperty("byte").GetInt32(), b.GetProperty("bit").GetInt32())));
        }
    }

    [Fact]
    public async Task Ctrl_c_ends_the_stream_cleanly_with_exit_0()
    {
        var directory = TempDirectory.Create();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        var result = await CliRunner.RunUntilCancelledAsync(["--simulate", "watch"], directory, stop.Token);

        Assert.Equal(0, result.ExitCode);
        Assert.NotEmpty(result.Lines);
        Assert.All(result.Lines, l => Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} pack 0 online pack_voltage=\d+\.\d\dV .* alarms: ", l));
        Assert.Equal("", result.Error);
    }

    [Theory]
    [InlineData("--count", "0")]
    [InlineData("--seconds", "-1")]
    [InlineData("--seconds", "NaN")]
    public async Task A_limit_that_is_not_positive_is_a_usage_error(string option, string value)
    {
        var result = await CliRunner.RunAsync(["--simulate", "watch", option, value]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(option, result.Error);
    }

    [Fact]
    public async Task Listening_on_a_port_that_cannot_open_says_why_and_exits_1_when_nothing_was_read()
    {
        var directory = TempDirectory.Create();
        var port = Path.Combine(directory, "no-such-adapter");

        var result = await CliRunner.RunAsync(["--port", port, "--listen", "watch", "--seconds", "2"], directory: directory);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Lines);
        Assert.StartsWith($"watch: serial port {port} does not exist", result.Error);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}

public sealed class WatchReplayEndTests
{
    [Fact]
    public async Task Watch_of_a_garbage_replay_ends_with_one_line_instead_of_waiting_silently()
    {
        var directory = Directory.CreateTempSubdirectory("seplos-watch-replay").FullName;
        try
        {
            var path = Path.Combine(directory, "garbage.rec");
            await File.WriteAllTextAsync(path, "garbage\n");

            var result = await SeplosConsole.Tests.Support.CliRunner.RunAsync(["--replay", path, "watch"], timeout: TimeSpan.FromSeconds(30));

            Assert.Equal(1, result.ExitCode);
            Assert.Equal("", result.Output);
            Assert.Contains($"watch: {path} holds no readings", result.Error);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
