using SeplosConsole.Tests.Support;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Simulation;
using SeplosConsole.Transport;

namespace SeplosConsole.Tests.Services;

[Collection(TimingCollection.Name)]
public class LateReplyTests
{
    [Fact]
    public async Task A_late_answer_to_a_timed_out_attempt_is_not_taken_for_the_next_request_of_the_same_shape()
    {
        // SPA is read as two requests of 0x35 registers whose replies have the same length. The pack
        // answers the first one too late, then answers the retry as well: without draining the line,
        // the second half would get the first half's late data.
        var transport = InProcessSimulatorTransport.Create(new SimulatorOptions());
        transport.Simulator.Faults.ExtraDelay = TimeSpan.FromMilliseconds(300);
        transport.Simulator.Faults.InjectNext(SimulatedFault.ExtraDelay);
        await using var rtu = new RtuClient(transport, new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(200), Retries = 2 });
        var client = new SeplosClient(rtu);

        var spa = PackSnapshot.Empty(0).With(await client.ReadBlockAsync(0, BlockId.Spa, CancellationToken.None));

        Assert.Equal(transport.Simulator.Pack(0).Value("soc_low_alarm"), spa.Value("soc_low_alarm"));
        Assert.Equal(transport.Simulator.Pack(0).Value("output_short_circuit_delay"), spa.Value("output_short_circuit_delay"));
        Assert.Equal(transport.Simulator.Pack(0).Value("charging_request_voltage"), spa.Value("charging_request_voltage"));
        // When the first attempt timed out (it does unless the machine stalls the test's timers for
        // the whole delay), the answer that came late was read and dropped, not taken for the next.
        if (rtu.Counters.Snapshot().Timeouts >= 1)
        {
            Assert.True(rtu.Counters.Snapshot().DiscardedBytes >= 111, "the late reply was read and dropped");
        }
    }

    [Fact]
    public async Task The_answer_to_a_cancelled_request_is_not_taken_for_the_next_request_of_the_same_shape()
    {
        // The two SPA halves have replies of the same length. The first half is cancelled while its
        // answer is on its way (300 ms late); the second half, asked next, must get its own data.
        var transport = InProcessSimulatorTransport.Create(new SimulatorOptions());
        await using var rtu = new RtuClient(transport, new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(800), Retries = 0 });
        var halves = SeplosMap.Block(BlockId.Spa).Requests(0).ToArray();
        await rtu.SendAsync(halves[0], CancellationToken.None); // opened and settled
        transport.Simulator.Faults.ExtraDelay = TimeSpan.FromMilliseconds(300);
        transport.Simulator.Faults.InjectNext(SimulatedFault.ExtraDelay);

        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rtu.SendAsync(halves[0], cancel.Token));
        }
        var second = await rtu.SendAsync(halves[1], CancellationToken.None);

        // The second half's parameters as read must be the pack's (the first half's would differ);
        // read-only registers such as remaining capacity follow the charge model and are left out.
        var payload = new byte[halves[0].Quantity * 2 + second.Payload.Length];
        second.Payload.CopyTo(payload.AsSpan(halves[0].Quantity * 2));
        var read = PackSnapshot.Empty(0).With(new BlockReading(BlockId.Spa, payload, DateTimeOffset.UtcNow));
        var secondHalf = SeplosMap.FieldsOf(BlockId.Spa).Where(f => f.Writable && f.Offset >= halves[0].Quantity).ToList();
        Assert.NotEmpty(secondHalf);
        Assert.All(secondHalf, f => Assert.Equal(transport.Simulator.Pack(0).Value(f.Key), read.Value(f.Key)));
    }

    [Fact]
    public async Task A_late_answer_drained_before_the_next_request_is_charged_to_the_pack_that_owed_it()
    {
        var transport = InProcessSimulatorTransport.Create(new SimulatorOptions { Addresses = [0, 1] });
        await using var rtu = new RtuClient(transport, new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 });
        var client = new SeplosClient(rtu);
        await client.ReadBlockAsync(1, BlockId.Pia, CancellationToken.None); // opened and settled
        transport.Simulator.Faults.ExtraDelay = TimeSpan.FromMilliseconds(300);
        transport.Simulator.Faults.InjectNext(SimulatedFault.ExtraDelay);

        await Assert.ThrowsAsync<RtuTimeoutException>(() => client.ReadBlockAsync(0, BlockId.Pia, CancellationToken.None));
        await client.ReadBlockAsync(1, BlockId.Pia, CancellationToken.None);

        Assert.True(rtu.CountersFor(0).Snapshot().DiscardedBytes >= 41, "pack 0's late PIA reply is counted on pack 0");
        Assert.Equal(0, rtu.CountersFor(1).Snapshot().DiscardedBytes);
    }

    [Fact]
    public async Task A_private_simulator_line_is_used_at_once_after_it_opens()
    {
        var transport = InProcessSimulatorTransport.Create(new SimulatorOptions());
        await using var rtu = new RtuClient(transport, new RtuClientOptions { SettleQuiet = TimeSpan.FromSeconds(1) });

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await new SeplosClient(rtu).ReadBlockAsync(0, BlockId.Pia, CancellationToken.None);

        // PIA's exchange takes ~40 ms on the paced line; a settle would add the whole second.
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_line_that_may_carry_another_programs_answer_is_listened_to_before_the_first_request()
    {
        var transport = new SharedLine(InProcessSimulatorTransport.Create(new SimulatorOptions()));
        await using var rtu = new RtuClient(transport, new RtuClientOptions { SettleQuiet = TimeSpan.FromSeconds(1) });

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var pia = await new SeplosClient(rtu).ReadBlockAsync(0, BlockId.Pia, CancellationToken.None);

        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= TimeSpan.FromSeconds(1));
        Assert.Equal(BlockId.Pia, pia.Block);
    }

    /// <summary>The simulator's line as a serial port would be: it does not promise to open quiet.</summary>
    private sealed class SharedLine(IBusTransport inner) : ForwardingTransport(inner)
    {
        public override bool OpensQuiet => false;
    }
}
