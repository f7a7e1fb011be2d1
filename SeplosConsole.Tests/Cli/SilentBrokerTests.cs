using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Cli;

/// <summary>
/// A "broker" that accepts the connection and never answers (a wrong port, a hung server): the
/// read commands end at the connect time-out (10 s) with one line that says so. Not in the timing
/// collection: it only waits, so it runs beside the other tests.
/// </summary>
public sealed class SilentBrokerTests
{
    [Theory]
    [InlineData("show", "soc")]
    [InlineData("watch", "--json")]
    public async Task A_broker_that_never_answers_is_one_line_and_exit_1_at_the_connect_time_out(string command, string argument)
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var clock = Stopwatch.StartNew();

        var result = await CliRunner.RunAsync(["--port", $"mqtt://127.0.0.1:{port}", command, argument], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches($@"MQTT: no answer from 127\.0\.0\.1:{port} within 10 s$", line);
        // The deadline is the connect time-out; a loaded machine may add a little to the 10 s.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(30));
    }
}
