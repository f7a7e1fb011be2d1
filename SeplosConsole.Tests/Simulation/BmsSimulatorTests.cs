using Microsoft.Extensions.Time.Testing;
using SeplosConsole.Rtu;
using SeplosConsole.Simulation;

namespace SeplosConsole.Tests.Simulation;

public sealed class BmsSimulatorTests
{
    private static BmsSimulator Simulator(bool master = false, params byte[] addresses)
        => new(new SimulatorOptions { Addresses = addresses.Length == 0 ? [0] : addresses, Master = master }, new FakeTimeProvider());

    private static byte[] Request(RtuRequest request) => request.Encode();

    private static SimulatorReply Single(IReadOnlyList<SimulatorReply> replies) => Assert.Single(replies);

    [Theory]
    [InlineData("0004100000127516", 41)] // PIA (register reference, S1 example)
    [InlineData("00041100001A752C", 57)] // PIB
    [InlineData("000112000090 38CF", 23)] // PIC
    public void Vendor_request_frames_fed_byte_by_byte_get_replies_of_the_right_length(string hex, int length)
    {
        var simulator = Simulator();
        var frame = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        var replies = new List<SimulatorReply>();

        foreach (var b in frame)
        {
            replies.AddRange(simulator.Feed([b]));
        }

        var reply = Single(replies);
        Assert.Equal(length, reply.Bytes.Length);
        Assert.True(Crc16Modbus.IsValidFrame(reply.Bytes));
        Assert.Equal(frame[..2], reply.Bytes[..2]);
    }

    [Theory]
    [InlineData(0x1900, 1)]   // no block there
    [InlineData(0x1100, 0x1B)] // one register past PIB
    [InlineData(0x1335, 0x36)] // past the end of SPA
    [InlineData(0x2100, 0x16)] // EIB on a pack that is not the master
    public void Reads_outside_a_block_or_past_its_end_are_refused_with_exception_2(int start, int count)
    {
        var simulator = Simulator();

        var reply = Single(simulator.Feed(Request(RtuRequest.ReadInputRegisters(0, (ushort)start, (ushort)count))));

        Assert.Equal(new byte[] { 0x00, 0x84, 0x02 }, reply.Bytes[..3]);
        Assert.Equal(5, reply.Bytes.Length);
    }

    [Fact]
    public void Over_long_coil_read_is_refused_like_the_real_pack_in_C1()
    {
        var simulator = Simulator();

        var frame = new byte[] { 0x00, 0x01, 0x12, 0x00, 0x09, 0x00, 0, 0 }; // 0x0900 coils at PIC
        Crc16Modbus.Seal(frame);

        var reply = Single(simulator.Feed(frame));

        Assert.Equal(new byte[] { 0x00, 0x81, 0x02 }, reply.Bytes[..3]);
    }

    [Fact]
    public void Master_at_address_0_answers_the_system_blocks_and_refuses_an_over_long_EIB()
    {
        var simulator = Simulator(master: true, 0, 1, 2);

        var eia = Single(simulator.Feed(Request(RtuRequest.ReadInputRegisters(0, 0x2000, 0x1A))));
        var eib = Single(simulator.Feed(Request(RtuRequest.ReadInputRegisters(0, 0x2100, 0x16))));
        var eibTooLong = Single(simulator.Feed(Request(RtuRequest.ReadInputRegisters(0, 0x2100, 0x1A))));
        var eic = Single(simulator.Feed(Request(RtuRequest.ReadCoils(0, 0x2200, 0x50))));
        var slave = Single(simulator.Feed(Request(RtuRequest.ReadInputRegisters(1, 0x2000, 0x1A))));

        Assert.Equal(5 + (2 * 0x1A), eia.Bytes.Length);
        Assert.Equal(5 + (2 * 0x16), eib.Bytes.Length);
        Assert.Equal(0x84, eibTooLong.Bytes[1]);
        Assert.Equal(5 + 10, eic.Bytes.Length);
        Assert.Equal(0x84, slave.Bytes[1]);
        Assert.Equal(3, simulator.Pack(0).Value("system_pack_count"));
        Assert.Equal(0b111, simulator.Pack(0).Value("system_online_packs"));
    }

    [Fact]
    public void Request_to_an_address_it_does_not_serve_gets_no_reply()
    {
        var simulator = Simulator(false, 0, 1);

        Assert.Empty(simulator.Feed(Request(RtuRequest.ReadInputRegisters(2, 0x1000, 0x12))));
        Assert.Empty(simulator.Feed(Request(RtuRequest.ReadInputRegisters(0xE0, 0x1000, 0x12))));
        Assert.Equal(2, simulator.Ignored);
        Assert.Equal(1, Single(simulator.Feed(Request(RtuRequest.ReadInputRegisters(1, 0x1000, 0x12)))).Address);
    }

    [Fact]
    public void Noise_and_a_frame_with_a_bad_crc_are_skipped_and_the_next_request_answered()
    {
        var simulator = Simulator();
        var broken = Request(RtuRequest.ReadInputRegisters(0, 0x1000, 0x12));
        broken[^1] ^= 0xFF;
        byte[] stream = [0xFF, 0x00, 0x13, .. broken, .. Request(RtuRequest.ReadInputRegisters(0, 0x1100, 0x1A))];

        var reply = Single(simulator.Feed(stream));

        Assert.Equal(57, reply.Bytes.Length);
        Assert.True(simulator.SkippedBytes >= 3 + 8);
    }

    [Fact]
    public void Two_requests_in_one_chunk_get_two_replies()
    {
        var simulator = Simulator();
        byte[] stream = [.. Request(RtuRequest.ReadInputRegisters(0, 0x1000, 0x12)), .. Request(RtuRequest.ReadCoils(0, 0x1200, 0x90))];

        var replies = simulator.Feed(stream);

        Assert.Equal([41, 23], replies.Select(r => r.Bytes.Length));
    }

    [Fact]
    public void Unknown_function_is_refused_with_exception_1()
    {
        var simulator = Simulator();
        var frame = new byte[] { 0x00, 0x03, 0x10, 0x00, 0x00, 0x12, 0, 0 };
        Crc16Modbus.Seal(frame);

        var reply = Single(simulator.Feed(frame));

        Assert.Equal(new byte[] { 0x00, 0x83, 0x01 }, reply.Bytes[..3]);
    }

    [Fact]
    public void Write_to_spa_is_stored_and_acknowledged_and_a_write_elsewhere_is_refused()
    {
        var simulator = Simulator();
        var write = RtuRequest.WriteRegisters(0, 0x1307, [4500]); // battery_low_voltage_alarm = 45.00 V

        var ack = Single(simulator.Feed(Request(write)));
        var refused = Single(simulator.Feed(Request(RtuRequest.WriteRegisters(0, 0x1500, [1]))));
        var pastSpa = Single(simulator.Feed(Request(RtuRequest.WriteRegisters(0, 0x1369, [1, 2]))));

        Assert.NotNull(RtuResponse.TryParse(write, ack.Bytes, out _));
        Assert.Equal(45.00, simulator.Pack(0).Value("battery_low_voltage_alarm"));
        Assert.Equal(new byte[] { 0x00, 0x90, 0x02 }, refused.Bytes[..3]);
        Assert.Equal(0x90, pastSpa.Bytes[1]);
    }

    [Fact]
    public void Reply_delay_is_request_wire_time_plus_turnaround_plus_reply_wire_time_at_the_baud_rate()
    {
        var simulator = Simulator();

        var reply = Single(simulator.Feed(Request(RtuRequest.ReadInputRegisters(0, 0x1100, 0x1A))));

        // 8 + 57 bytes × 10 bits / 19200 baud = 4.2 + 29.7 ms, plus the 10 ms turnaround.
        Assert.Equal(TimeSpan.FromSeconds(8 * 10.0 / 19200) + TimeSpan.FromMilliseconds(10) + TimeSpan.FromSeconds(57 * 10.0 / 19200), reply.Delay);
    }

    [Fact]
    public void Random_faults_come_at_the_configured_rate_from_the_seed_and_are_counted()
    {
        var simulator = new BmsSimulator(new SimulatorOptions { Seed = 42, FaultRate = 0.05 }, new FakeTimeProvider());
        var request = Request(RtuRequest.ReadInputRegisters(0, 0x1000, 0x12));
        var faulty = 0;

        for (var i = 0; i < 2000; i++)
        {
            var replies = simulator.Feed(request);
            faulty += replies.Count == 0 || replies[0].Fault != SimulatedFault.None ? 1 : 0;
        }

        Assert.InRange(faulty, 60, 140); // 5 % of 2000 = 100
        Assert.Equal(faulty, simulator.Faults.TotalInjected);
        Assert.Equal(0, simulator.Faults.Injected(SimulatedFault.Disconnect));
        Assert.True(simulator.Faults.Injected(SimulatedFault.NoReply) > 0);
    }

    [Fact]
    public void Injected_fault_applies_to_its_address_only_and_for_the_given_number_of_replies()
    {
        var simulator = Simulator(false, 0, 1);
        simulator.Faults.InjectNext(SimulatedFault.NoReply, replies: 2, address: 1);

        Assert.Single(simulator.Feed(Request(RtuRequest.ReadInputRegisters(0, 0x1000, 0x12))));
        Assert.Empty(simulator.Feed(Request(RtuRequest.ReadInputRegisters(1, 0x1000, 0x12))));
        Assert.Empty(simulator.Feed(Request(RtuRequest.ReadInputRegisters(1, 0x1000, 0x12))));
        Assert.Single(simulator.Feed(Request(RtuRequest.ReadInputRegisters(1, 0x1000, 0x12))));
        Assert.Equal(2, simulator.Faults.Injected(SimulatedFault.NoReply));
    }
}
