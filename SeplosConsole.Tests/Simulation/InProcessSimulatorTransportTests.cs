using SeplosConsole.Tests.Support;
using System.Diagnostics;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Simulation;
using SeplosConsole.Transport;

namespace SeplosConsole.Tests.Simulation;

[Collection(TimingCollection.Name)]
public sealed class InProcessSimulatorTransportTests : IAsyncDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(5);

    private readonly InProcessSimulatorTransport _transport;
    private readonly RtuClient _rtu;
    private readonly SeplosClient _client;

    public InProcessSimulatorTransportTests()
    {
        // A short turnaround keeps the suite fast; pacing has its own test with the defaults.
        _transport = InProcessSimulatorTransport.Create(new SimulatorOptions { Addresses = [0, 1], Turnaround = TimeSpan.FromMilliseconds(1), Seed = 5 });
        _rtu = new RtuClient(_transport, new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(300), Retries = 2 });
        _client = new SeplosClient(_rtu);
    }

    private BmsSimulator Simulator => _transport.Simulator;

    public async ValueTask DisposeAsync() => await _rtu.DisposeAsync();

    private Task<BlockReading> Read(byte address, BlockId block)
        => _client.ReadBlockAsync(address, block, CancellationToken.None).WaitAsync(TestTimeout);

    [Fact]
    public async Task Client_decodes_plausible_pia_pib_pic_spa_via_pct_through_the_simulator()
    {
        var snapshot = await _client.ReadAsync(PackSnapshot.Empty(1), [BlockId.Pia, BlockId.Pib, BlockId.Pic, BlockId.Spa, BlockId.Via, BlockId.Pct], CancellationToken.None)
            .WaitAsync(TestTimeout);

        Assert.Equal("sim", _transport.Name);
        Assert.Equal(16, snapshot.CellCount);
        var cells = Enumerable.Range(1, 16).Select(i => snapshot.Value($"cell_{i}")!.Value).ToArray();
        Assert.All(cells, v => Assert.InRange(v, 3.25, 3.35));
        Assert.InRange(snapshot.Value("pack_voltage")!.Value, cells.Sum() - 0.011, cells.Sum() + 0.011);
        Assert.InRange(snapshot.Value("max_cell_temp")!.Value, 15, 30);
        Assert.InRange(snapshot.Value("soc")!.Value, 1, 100);
        Assert.Equal(46.40, snapshot.Value("battery_low_voltage_alarm"));
        Assert.Equal(3.650, snapshot.Value("cell_over_voltage_protection"));
        Assert.Equal(4, snapshot.Value("ntc_count"));
        Assert.Equal("XZH-ElecTech Co.,Ltd", snapshot.Text("factory_name"));
        Assert.Equal("Pylon CAN Protocol", snapshot.Text("inverter_protocol_name"));
        Assert.True(snapshot.Flag("charge_fet_on"));
        Assert.Empty(snapshot.ActiveProblems);
    }

    [Fact]
    public async Task Write_to_spa_register_is_read_back()
    {
        var field = SeplosMap.FindField("battery_low_voltage_alarm")!;

        var refusal = await _client.WriteRawAsync(0, field, field.ToRaw(45.60)!.Value, CancellationToken.None).WaitAsync(TestTimeout);
        var readBack = await _client.ReadRawAsync(0, field, CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Null(refusal);
        Assert.Equal(4560, readBack);
        Assert.Equal(46.40, Simulator.Pack(1).Value("battery_low_voltage_alarm")); // the other pack keeps its own
    }

    [Fact]
    public async Task Unknown_register_range_and_over_long_read_give_exception_2()
    {
        var outside = await _rtu.SendAsync(RtuRequest.ReadInputRegisters(0, 0x1900, 4), CancellationToken.None).WaitAsync(TestTimeout);
        var tooLong = await _rtu.SendAsync(RtuRequest.ReadInputRegisters(0, 0x1000, 0x13), CancellationToken.None).WaitAsync(TestTimeout);
        var notMaster = await Assert.ThrowsAsync<PackRefusedException>(() => Read(0, BlockId.Eia));

        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, outside.Exception);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, tooLong.Exception);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, notMaster.Code);
    }

    [Fact]
    public async Task Another_address_gets_no_reply_and_the_client_times_out()
    {
        await Assert.ThrowsAsync<RtuTimeoutException>(() => Read(7, BlockId.Pia));

        Assert.Equal(3, Simulator.Ignored); // the first attempt and two retries
    }

    [Fact]
    public async Task No_reply_fault_gives_a_timeout_after_the_retries()
    {
        Simulator.Faults.InjectAlways(SimulatedFault.NoReply, address: 0);

        await Assert.ThrowsAsync<RtuTimeoutException>(() => Read(0, BlockId.Pia));
        var otherPack = await Read(1, BlockId.Pia);

        Assert.Equal(3, Simulator.Faults.Injected(SimulatedFault.NoReply));
        Assert.Equal(36, otherPack.Payload.Length);
    }

    [Fact]
    public async Task Corrupt_crc_fault_gives_a_crc_error_after_the_retries()
    {
        Simulator.Faults.InjectAlways(SimulatedFault.CorruptCrc);

        await Assert.ThrowsAsync<RtuCrcException>(() => Read(0, BlockId.Pib));

        Assert.Equal(3, Simulator.Faults.Injected(SimulatedFault.CorruptCrc));
        // One per attempt; on a loaded machine an attempt may end as a plain timeout instead.
        var counters = _rtu.Counters.Snapshot();
        Assert.Equal(3, counters.CrcErrors + counters.Timeouts);
    }

    [Fact]
    public async Task One_corrupt_reply_is_retried_and_the_read_succeeds()
    {
        Simulator.Faults.InjectNext(SimulatedFault.CorruptCrc);

        var reading = await Read(0, BlockId.Pia);

        Assert.Equal(36, reading.Payload.Length);
        Assert.Equal(1, Simulator.Faults.Injected(SimulatedFault.CorruptCrc));
    }

    [Fact]
    public async Task Exception_fault_gives_the_chosen_exception_code()
    {
        Simulator.Faults.ExceptionCode = ModbusExceptionCode.DeviceFailure;
        Simulator.Faults.InjectNext(SimulatedFault.ExceptionReply);

        var refused = await Assert.ThrowsAsync<PackRefusedException>(() => Read(0, BlockId.Pia));

        Assert.Equal(ModbusExceptionCode.DeviceFailure, refused.Code);
    }

    [Fact]
    public async Task Garbage_before_the_reply_is_skipped_and_the_reply_is_good()
    {
        Simulator.Faults.GarbageLength = 9;
        Simulator.Faults.InjectNext(SimulatedFault.Garbage);

        var reading = await Read(0, BlockId.Pib);

        Assert.Equal(52, reading.Payload.Length);
        Assert.Equal(1, Simulator.Faults.Injected(SimulatedFault.Garbage));
        Assert.True(_rtu.Counters.Snapshot().DiscardedBytes >= 9);
    }

    [Fact]
    public async Task Extra_delay_longer_than_the_client_timeout_gives_a_timeout_then_the_retry_succeeds()
    {
        Simulator.Faults.ExtraDelay = TimeSpan.FromMilliseconds(700);
        Simulator.Faults.InjectNext(SimulatedFault.ExtraDelay);

        var reading = await Read(0, BlockId.Pia);

        Assert.Equal(36, reading.Payload.Length);
        // Replies leave one after the other, as on a half-duplex line: the retry's reply queues
        // behind the late one, so one or two attempts time out before a reply is taken. (A machine
        // that stalls the test's timers for the whole delay sees none; the reply is right either way.)
        Assert.InRange(_rtu.Counters.Snapshot().Timeouts, 0, 2);
        Assert.Equal(1, Simulator.Faults.Injected(SimulatedFault.ExtraDelay));
    }

    [Fact]
    public async Task Disconnect_fault_throws_a_transport_exception_then_the_client_recovers_after_reopening()
    {
        await Read(0, BlockId.Pia);
        Simulator.Faults.InjectNext(SimulatedFault.Disconnect);

        await Assert.ThrowsAsync<TransportException>(() => Read(0, BlockId.Pia));
        Assert.False(_transport.IsOpen);
        await Assert.ThrowsAsync<TransportException>(() => _transport.WriteAsync(new byte[] { 1 }, CancellationToken.None).AsTask());

        var reading = await Read(0, BlockId.Pia); // RtuClient reopens a closed link

        Assert.True(_transport.IsOpen);
        Assert.Equal(36, reading.Payload.Length);
        Assert.Equal(1, _rtu.Counters.Snapshot().LinkFailures);
    }

    [Fact]
    public async Task Read_respects_cancellation()
    {
        await _transport.OpenAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _transport.ReadAsync(new byte[8], cancel.Token).AsTask().WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task Pib_reply_takes_at_least_turnaround_plus_wire_time()
    {
        // Defaults: 10 ms turnaround, 19200 baud. Measured against the real clock.
        await using var transport = InProcessSimulatorTransport.Create(new SimulatorOptions());
        await using var rtu = new RtuClient(transport, new RtuClientOptions { Timeout = TimeSpan.FromSeconds(2) });
        var request = RtuRequest.ReadInputRegisters(0, 0x1100, 0x1A);
        await rtu.SendAsync(request, CancellationToken.None).WaitAsync(TestTimeout); // warm up the JIT

        var stopwatch = Stopwatch.StartNew();
        var response = await rtu.SendAsync(request, CancellationToken.None).WaitAsync(TestTimeout);
        stopwatch.Stop();

        var minimum = TimeSpan.FromMilliseconds(10) + TimeSpan.FromSeconds(57 * 10.0 / 19200);
        Assert.Equal(57, response.Frame.Length);
        Assert.InRange(stopwatch.Elapsed, minimum, minimum + TimeSpan.FromMilliseconds(500));
    }
}
