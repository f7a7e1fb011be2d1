using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Simulation;
using SeplosConsole.Transport;

namespace SeplosConsole.Tests.Bus;

/// <summary>The poller states why a pack is offline in the CLI's words (what the dashboard then shows).</summary>
public sealed class BusFailureTextTests
{
    [Fact]
    public async Task A_pack_that_never_answers_is_offline_with_the_CLIs_advice_to_check_the_wiring()
    {
        var transport = InProcessSimulatorTransport.Create(new SimulatorOptions { Addresses = [0], Turnaround = TimeSpan.FromMilliseconds(1) });
        await using var rtu = new RtuClient(transport, new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(100), Retries = 1 });
        var poller = new BusPoller(new SeplosClient(rtu), new PollerOptions { Addresses = [5], Interval = TimeSpan.Zero, ReadSlowBlocks = false, FailuresBeforeOffline = 1 });
        using var stop = new CancellationTokenSource();
        var running = poller.RunAsync(stop.Token);

        await FeedWaits.StateAsync(poller, 5, PackLinkState.Offline);
        await stop.CancelAsync();
        await running.WaitAsync(FeedWaits.Timeout);

        var reason = poller.Status(5).LastError;
        Assert.Equal(BusFailures.Describe(new RtuTimeoutException(5, TimeSpan.FromMilliseconds(100), 0), transport.Name, 2), reason);
        Assert.Contains("no answer from address 5 within 100 ms on", reason, StringComparison.Ordinal);
        Assert.EndsWith("after 2 tries; check the wiring (RS485 A/B, not the CAN port), the pack address (DIP switches) and the baud rate", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_serial_port_reads_as_the_transport_says_it()
    {
        var missing = new TransportException("serial port /dev/ttyUSB9 does not exist (is the adapter plugged in? try --simulate to run without hardware)");

        Assert.Equal(missing.Message, BusFailures.Describe(missing, "/dev/ttyUSB9", 3));
        Assert.Null(BusFailures.Describe(new InvalidOperationException("a bug"), "/dev/ttyUSB9", 3));
    }
}
