using SeplosConsole.Tests.Support;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Simulation;
using SeplosConsole.Transport;

namespace SeplosConsole.Tests.Simulation;

/// <summary>End to end over a real pseudo-terminal: the simulator on one side, System.IO.Ports on the other.</summary>
[Collection(TimingCollection.Name)]
public sealed class PtySimulatorHostTests : IDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);

    private readonly string _directory = Directory.CreateTempSubdirectory("seplos-sim-").FullName;
    private readonly CancellationTokenSource _stop = new();

    private string LinkPath => Path.Combine(_directory, "ttySIM0");

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static RtuClient Client(string path)
        => new(new SerialPortTransport(path, SerialLineSettings.SeplosDefault), new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(400) });

    [Fact]
    public async Task Client_on_the_link_reads_pia_pib_pic_and_writes_and_reads_back_a_parameter()
    {
        var host = new PtySimulatorHost();
        var run = host.RunAsync(LinkPath, new SimulatorOptions { Addresses = [0, 1] }, _stop.Token);
        await host.Ready.WaitAsync(TestTimeout);
        await using var rtu = Client(LinkPath);
        var client = new SeplosClient(rtu);

        var snapshot = await client.ReadAsync(PackSnapshot.Empty(1), SeplosMap.LiveBlocks, CancellationToken.None).WaitAsync(TestTimeout);
        var field = SeplosMap.FindField("cell_high_voltage_alarm")!;
        var refusal = await client.WriteRawAsync(1, field, 3450, CancellationToken.None).WaitAsync(TestTimeout);
        var readBack = await client.ReadRawAsync(1, field, CancellationToken.None).WaitAsync(TestTimeout);

        Assert.NotNull(new FileInfo(LinkPath).LinkTarget);
        var cells = Enumerable.Range(1, 16).Select(i => snapshot.Value($"cell_{i}")!.Value).ToArray();
        Assert.All(cells, v => Assert.InRange(v, 3.25, 3.35));
        Assert.InRange(snapshot.Value("pack_voltage")!.Value, cells.Sum() - 0.011, cells.Sum() + 0.011);
        Assert.True(snapshot.Flag("discharge_fet_on"));
        Assert.Null(refusal);
        Assert.Equal(3450, readBack);
        Assert.Equal(0, rtu.Counters.Snapshot().Errors);

        await _stop.CancelAsync();
        await run.WaitAsync(TestTimeout);
        Assert.False(File.Exists(LinkPath) || new FileInfo(LinkPath).LinkTarget is not null, "the link should be removed on stop");
    }

    [Fact]
    public async Task Disconnect_fault_fails_the_port_and_the_client_recovers_when_it_reopens_the_link()
    {
        var host = new PtySimulatorHost();
        var run = host.RunAsync(LinkPath, new SimulatorOptions { ReplugDelay = TimeSpan.FromMilliseconds(100) }, _stop.Token);
        await host.Ready.WaitAsync(TestTimeout);
        await using var rtu = Client(LinkPath);
        var client = new SeplosClient(rtu);
        await client.ReadBlockAsync(0, BlockId.Pia, CancellationToken.None).WaitAsync(TestTimeout);
        var replugged = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Linked += (_, slave) => replugged.TrySetResult(slave);

        host.Simulator!.Faults.InjectNext(SimulatedFault.Disconnect);
        await Assert.ThrowsAsync<TransportException>(() => client.ReadBlockAsync(0, BlockId.Pia, CancellationToken.None).WaitAsync(TestTimeout));
        await replugged.Task.WaitAsync(TestTimeout);
        var reading = await client.ReadBlockAsync(0, BlockId.Pib, CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Equal(52, reading.Payload.Length);
        Assert.Equal(1, host.Simulator.Faults.Injected(SimulatedFault.Disconnect));
        await _stop.CancelAsync();
        await run.WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task Bytes_a_tty_would_translate_pass_the_link_unchanged_both_ways()
    {
        var host = new PtySimulatorHost();
        var run = host.RunAsync(LinkPath, new SimulatorOptions(), _stop.Token);
        await host.Ready.WaitAsync(TestTimeout);
        await using var rtu = Client(LinkPath);
        // CR, LF, XON, XOFF, 0x00 and 0xFF: what a cooked tty would change or swallow.
        ushort[] values = [0x0D0A, 0x1113, 0x00FF, 0x7F03];

        var written = await rtu.SendAsync(RtuRequest.WriteRegisters(0, 0x135F, values), CancellationToken.None).WaitAsync(TestTimeout);
        var readBack = await rtu.SendAsync(RtuRequest.ReadInputRegisters(0, 0x135F, 4), CancellationToken.None).WaitAsync(TestTimeout);

        Assert.False(written.IsException);
        Assert.Equal(values, readBack.Registers());
        await _stop.CancelAsync();
        await run.WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task Host_refuses_to_replace_a_regular_file_at_the_link_path()
    {
        await File.WriteAllTextAsync(LinkPath, "not a port");
        var host = new PtySimulatorHost();

        await Assert.ThrowsAsync<IOException>(() => host.RunAsync(LinkPath, new SimulatorOptions(), _stop.Token).WaitAsync(TestTimeout));

        Assert.Equal("not a port", await File.ReadAllTextAsync(LinkPath));
        await Assert.ThrowsAsync<IOException>(() => host.Ready.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task Host_replaces_an_existing_symlink()
    {
        File.CreateSymbolicLink(LinkPath, "/dev/null");
        var host = new PtySimulatorHost();

        var run = host.RunAsync(LinkPath, new SimulatorOptions(), _stop.Token);
        await host.Ready.WaitAsync(TestTimeout);

        Assert.StartsWith("/dev/pts/", new FileInfo(LinkPath).LinkTarget, StringComparison.Ordinal);
        await _stop.CancelAsync();
        await run.WaitAsync(TestTimeout);
    }
}
