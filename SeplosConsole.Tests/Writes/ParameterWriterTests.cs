using SeplosConsole.Rtu;
using SeplosConsole.Services.Writes;

namespace SeplosConsole.Tests.Writes;

public sealed class ParameterWriterTests : WritePipelineTestBase
{
    [Fact]
    public async Task Confirmed_write_changes_the_packs_register_and_shows_old_and_new()
    {
        var outcome = await Write("battery_low_voltage_alarm", "45");

        Assert.Equal(WriteResult.Confirmed, outcome.Result);
        Assert.True(outcome.Succeeded);
        Assert.Equal("battery_low_voltage_alarm: 46.40 V → 45.00 V (register 0x1307 raw 4640 → raw 4500): confirmed", outcome.Message);
        Assert.Equal(4500, Pack.Raw("battery_low_voltage_alarm"));
        Assert.Equal([((ushort)0x1307, (ushort)4500)], Pack.Writes);
    }

    [Theory]
    [InlineData("battery_low_voltage_alarm", "45V", 4500)]
    [InlineData("battery_low_voltage_alarm", "45.0 v", 4500)]
    [InlineData("cell_low_voltage_alarm", "2.85 V", 2850)]
    [InlineData("charge_over_temperature_protection", "52 °C", 2731 + 520)]
    [InlineData("charge_over_temperature_protection", "52C", 2731 + 520)]
    [InlineData("discharge_over_current_protection", "-208 A", -208)]
    [InlineData("soc_low_alarm", "4.5%", 45)]
    public async Task Trailing_unit_that_matches_the_parameter_is_accepted(string key, string value, long raw)
    {
        var outcome = await Write(key, value);
        Assert.Equal(WriteResult.Confirmed, outcome.Result);
        Assert.Equal(raw, Pack.Raw(key));
    }

    [Fact]
    public async Task Alias_and_any_case_resolve_to_the_parameter()
    {
        var outcome = await Write("PLUSE_current_limiting_current", "210");
        Assert.Equal(WriteResult.Confirmed, outcome.Result);
        Assert.Equal("pulse_current_limiting_current", outcome.Plan!.Field.Key);
        Assert.Equal(210, Pack.Raw("pulse_current_limiting_current"));
    }

    [Fact]
    public async Task Plan_shows_the_rounded_value_that_will_really_be_written()
    {
        var validation = await Prepare("cell_high_voltage_alarm", "3.4567");

        Assert.True(validation.IsReady);
        var plan = validation.Plan!;
        Assert.Equal(3457, plan.NewRaw);
        Assert.Equal(3.457, plan.NewValue);
        Assert.Equal("cell_high_voltage_alarm: 3.500 V → 3.457 V (register 0x130B raw 3500 → raw 3457)", plan.Summary);
        Assert.Contains(plan.Warnings, w => w.Contains("3.4567 is rounded to 3.457 V", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Prepare_reads_fresh_values_but_neither_writes_nor_journals()
    {
        var validation = await Prepare("battery_low_voltage_alarm", "45");
        Assert.True(validation.IsReady);
        Assert.Equal(2, Pack.Reads); // SPA is read as two requests of 0x35 registers, as the vendor software does
        Assert.Empty(Pack.Writes);
        Assert.Empty(Journal.Read());
    }

    [Fact]
    public async Task Declined_confirmation_writes_nothing_and_is_journaled_as_cancelled()
    {
        WritePlan? shown = null;
        var outcome = await Write("battery_low_voltage_alarm", "45", confirmation: Confirmations.From((plan, _) =>
        {
            shown = plan;
            return Task.FromResult(false);
        }));

        Assert.Equal(WriteResult.Cancelled, outcome.Result);
        Assert.Equal(4640, shown!.OldRaw);
        Assert.Empty(Pack.Writes);
        Assert.Equal(4640, Pack.Raw("battery_low_voltage_alarm"));
        Assert.Equal("cancelled", Assert.Single(Journal.Read()).Result);
    }

    [Fact]
    public async Task A_yes_given_after_the_caller_was_stopped_writes_nothing_and_is_journaled_as_cancelled()
    {
        using var stop = new CancellationTokenSource();
        var outcome = await Writer.ExecuteAsync(new ParameterWriteRequest("battery_low_voltage_alarm", "45", Source: "test"), Confirmations.From(async (_, _) =>
        {
            // Ctrl+C arrives while the answer is being read; the answer read is still "yes".
            await stop.CancelAsync();
            return true;
        }), stop.Token);

        Assert.Equal(WriteResult.Cancelled, outcome.Result);
        Assert.Contains("was stopped at the confirmation; nothing written", outcome.Message, StringComparison.Ordinal);
        Assert.Empty(Pack.Writes);
        Assert.Equal(4640, Pack.Raw("battery_low_voltage_alarm"));
        Assert.Equal("cancelled", Assert.Single(Journal.Read()).Result);
    }

    [Fact]
    public async Task A_confirmation_whose_terminal_fails_writes_nothing_and_is_journaled_as_cancelled()
    {
        var outcome = await Write("battery_low_voltage_alarm", "45",
            confirmation: Confirmations.From((_, _) => Task.FromException<bool>(new IOException("Input/output error"))));

        Assert.Equal(WriteResult.Cancelled, outcome.Result);
        Assert.Contains("could not be confirmed (Input/output error)", outcome.Message, StringComparison.Ordinal);
        Assert.Empty(Pack.Writes);
        Assert.Equal("cancelled", Assert.Single(Journal.Read()).Result);
    }

    [Fact]
    public async Task Confirmation_of_an_earlier_plan_is_void_when_the_pack_changed_meanwhile()
    {
        var shown = (await Prepare("battery_low_voltage_alarm", "45")).Plan!;
        Pack.Set("battery_low_voltage_alarm", 46.0);

        var outcome = await Write("battery_low_voltage_alarm", "45", confirmation: Confirmations.SameAs(shown));

        Assert.Equal(WriteResult.Cancelled, outcome.Result);
        Assert.Empty(Pack.Writes);
    }

    [Fact]
    public async Task Exception_reply_to_the_write_is_read_back_and_fails_with_its_meaning_when_the_register_is_unchanged()
    {
        Pack.Fault = WriteFault.ExceptionReply;
        Pack.ExceptionToSend = ModbusExceptionCode.IllegalDataValue;

        var outcome = await Write("battery_low_voltage_alarm", "45");

        Assert.Equal(WriteResult.Failed, outcome.Result);
        Assert.Contains("illegal data value (the pack refused the value)", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(4640, Pack.Raw("battery_low_voltage_alarm"));
    }

    [Fact]
    public async Task Write_without_an_answer_is_read_back_and_fails_when_the_register_is_unchanged()
    {
        Pack.Fault = WriteFault.NoReply;

        var outcome = await Write("battery_low_voltage_alarm", "45");

        Assert.Equal(WriteResult.Failed, outcome.Result);
        Assert.StartsWith("failed: no answer from pack 0 to the write", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("the BMS still holds 46.40 V, unchanged", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(["sending", "failed"], Journal.Read().Select(e => e.Result));
    }

    [Fact]
    public async Task Write_whose_reply_is_lost_is_confirmed_by_the_read_back()
    {
        Pack.Fault = WriteFault.ReplyLost;

        var outcome = await Write("battery_low_voltage_alarm", "45");

        Assert.Equal(WriteResult.Confirmed, outcome.Result);
        Assert.Contains("no answer from pack 0 to the write, but the read-back shows the new value", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(["sending", "confirmed"], Journal.Read().Select(e => e.Result));
    }

    [Fact]
    public async Task Pack_that_stores_another_value_gives_not_confirmed_with_the_value_it_holds()
    {
        Pack.Fault = WriteFault.StoresOtherValue;
        Pack.StoredInstead = 4400;

        var outcome = await Write("battery_low_voltage_alarm", "45");

        Assert.Equal(WriteResult.NotConfirmed, outcome.Result);
        Assert.False(outcome.Succeeded);
        Assert.EndsWith("not confirmed: the BMS now holds 44.00 V (raw 4400)", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(4400, outcome.HeldRaw);
        var entry = Journal.Read()[^1];
        Assert.Equal("not_confirmed", entry.Result);
        Assert.Equal(4400, entry.HeldRaw);
    }

    [Fact]
    public async Task Journal_has_one_outcome_line_per_attempt_including_refused_ones_and_a_sending_line_before_each_write()
    {
        await Write("batery_low_voltage_alarm", "45");
        await Write("battery_low_voltage_alarm", "abc");
        await Write("battery_low_voltage_alarm", "48.5");
        await Write("battery_low_voltage_alarm", "45");
        await Write("battery_low_voltage_alarm", "45");

        var entries = Journal.Read();
        // One outcome line per attempt; a write that reaches the bus has its "sending" line before it.
        Assert.Equal(["refused", "refused", "refused", "sending", "confirmed", "no_change"], entries.Select(e => e.Result));
        Assert.Equal(6, File.ReadAllLines(Journal.Path).Length);

        Assert.Equal("batery_low_voltage_alarm", entries[0].Key);
        Assert.Null(entries[0].Register);
        Assert.Equal("abc", entries[1].Requested);
        Assert.Equal(4850, entries[2].NewRaw);

        var confirmed = entries[4];
        Assert.Equal("test", confirmed.Source);
        Assert.Equal("fake", confirmed.Port);
        Assert.Equal(0, confirmed.Address);
        Assert.Equal("TEST-SERIAL", confirmed.BmsSerial);
        Assert.Equal("0x1307", confirmed.Register);
        Assert.Equal((4640L, 46.4, 4500L, 45.0, "V"), (confirmed.OldRaw, confirmed.OldValue, confirmed.NewRaw, confirmed.NewValue, confirmed.Unit));
        Assert.Equal(TimeSpan.Zero, confirmed.Time.Offset);
        Assert.Equal("read back equal", confirmed.Reason);
        Assert.Contains("did you mean battery_low_voltage_alarm", entries[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rule_already_broken_elsewhere_on_the_pack_is_a_warning_not_a_refusal()
    {
        Pack.Set("equalization_stop_difference_pressure", 0.060); // above the 0.050 V start difference

        var validation = await Prepare("battery_low_voltage_alarm", "45");

        Assert.True(validation.IsReady);
        Assert.Contains(validation.Plan!.Warnings, w => w.Contains("balancing: stop difference < start difference", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Journal_that_cannot_be_written_refuses_the_write_with_the_reason()
    {
        var blocker = Path.Combine(Path.GetTempPath(), "seplos-writes-blocker-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(blocker, "a file where the journal's folder should be");
        try
        {
            var writer = new ParameterWriter(Client, FakeSpaPack.PackAddress, new WriteJournal(Path.Combine(blocker, "journal.jsonl")));
            var outcome = await writer.ExecuteAsync(new("battery_low_voltage_alarm", "45"), Confirmations.Automatic, CancellationToken.None);

            // No journal, no write (issue 10): the write is refused, not made and then reported unrecorded.
            Assert.Equal(WriteResult.Refused, outcome.Result);
            Assert.StartsWith("refused: the journal cannot be written", outcome.Message, StringComparison.Ordinal);
            Assert.Empty(Pack.Writes);
            Assert.Equal(4640, Pack.Raw("battery_low_voltage_alarm"));
        }
        finally
        {
            File.Delete(blocker);
        }
    }
}
