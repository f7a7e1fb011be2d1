using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Writes;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Writes;

/// <summary>
/// Issue 10: no journal, no write; the journal line is on disk before the register changes;
/// an error reply to a write is settled by reading the register back.
/// </summary>
public sealed class JournalFirstTests : WritePipelineTestBase
{
    private ParameterWriter WriterWithJournalAt(string path) => new(Client, FakeSpaPack.PackAddress, new WriteJournal(path), bmsSerial: "TEST-SERIAL");

    [Fact]
    public async Task The_sending_line_is_on_disk_before_the_register_is_written()
    {
        IReadOnlyList<WriteJournalEntry>? atWrite = null;
        Pack.BeforeWrite = () => atWrite = Journal.Read();

        var outcome = await Write("battery_low_voltage_alarm", "45");

        Assert.Equal(WriteResult.Confirmed, outcome.Result);
        var sending = Assert.Single(atWrite!);
        Assert.Equal("sending", sending.Result);
        Assert.Equal(4500, sending.NewRaw);
        Assert.Equal(4640, sending.OldRaw);
        Assert.Equal(["sending", "confirmed"], Journal.Read().Select(e => e.Result));
    }

    [Fact]
    public async Task A_journal_path_that_is_a_directory_refuses_the_write_before_anyone_is_asked()
    {
        var directory = TempDirectory.Create();
        var asked = false;

        var outcome = await WriterWithJournalAt(directory).ExecuteAsync(new ParameterWriteRequest("battery_low_voltage_alarm", "45", Source: "test"),
            Confirmations.From((_, _) => { asked = true; return Task.FromResult(true); }), CancellationToken.None);

        Assert.Equal(WriteResult.Refused, outcome.Result);
        Assert.Contains($"{directory} is a directory, not a file", outcome.Message, StringComparison.Ordinal);
        Assert.EndsWith("nothing written", outcome.Message, StringComparison.Ordinal);
        Assert.False(asked);
        Assert.Empty(Pack.Writes);
        Assert.Equal(4640, Pack.Raw("battery_low_voltage_alarm"));
    }

    [Fact]
    public async Task A_journal_that_becomes_unwritable_while_the_person_confirms_refuses_the_write()
    {
        // The folder is there when the pipeline checks; it is replaced by a file before the write
        // (as a full disk or a removed mount would), so the "sending" line cannot be appended.
        var folder = TempDirectory.Create();
        var path = Path.Combine(folder, "state", "journal.jsonl");
        var confirmation = Confirmations.From((_, _) =>
        {
            Directory.Delete(Path.Combine(folder, "state"), recursive: true);
            File.WriteAllText(Path.Combine(folder, "state"), "not a folder");
            return Task.FromResult(true);
        });

        var outcome = await WriterWithJournalAt(path).ExecuteAsync(new ParameterWriteRequest("battery_low_voltage_alarm", "45", Source: "test"), confirmation, CancellationToken.None);

        Assert.Equal(WriteResult.Refused, outcome.Result);
        Assert.StartsWith("refused: the journal cannot be written", outcome.Message, StringComparison.Ordinal);
        Assert.Empty(Pack.Writes);
    }

    [Theory]
    [InlineData(WriteFault.StoresThenExceptionReply, WriteResult.Confirmed, "the read-back shows the new value", "confirmed")]
    [InlineData(WriteFault.ExceptionReply, WriteResult.Failed, "the BMS still holds 46.40 V, unchanged", "failed")]
    public async Task A_busy_reply_to_a_write_is_settled_by_the_read_back(WriteFault fault, WriteResult expected, string settled, string journaled)
    {
        Pack.Fault = fault;
        Pack.ExceptionToSend = ModbusExceptionCode.DeviceBusy;

        var outcome = await Write("battery_low_voltage_alarm", "45");

        Assert.Equal(expected, outcome.Result);
        Assert.Contains("answered the write with an error: device busy", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains(settled, outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(["sending", journaled], Journal.Read().Select(e => e.Result));
    }

    [Fact]
    public async Task A_100_kB_value_is_neither_echoed_nor_journaled_in_full()
    {
        var huge = new string('9', 100_000);

        var outcome = await Write("battery_low_voltage_alarm", huge);

        Assert.Equal(WriteResult.Refused, outcome.Result);
        Assert.True(outcome.Message.Length < 400, outcome.Message);
        Assert.Contains(new string('9', InputEcho.MaxLength) + "…", outcome.Message, StringComparison.Ordinal);
        var entry = Assert.Single(Journal.Read());
        Assert.Equal(new string('9', InputEcho.MaxLength) + "…", entry.Requested);
        Assert.True(new FileInfo(Journal.Path).Length < 1_000, $"journal line of {new FileInfo(Journal.Path).Length} bytes");
    }

    [Theory]
    [InlineData("٣.٥")]
    [InlineData("３.５")]
    [InlineData("3٥")]
    public async Task Digits_other_than_0_to_9_are_refused_with_a_hint(string typed)
    {
        var outcome = await Write("cell_high_voltage_alarm", typed);

        Assert.Equal(WriteResult.Refused, outcome.Result);
        Assert.Contains("is not a number (type the digits 0-9)", outcome.Message, StringComparison.Ordinal);
        Assert.Empty(Pack.Writes);
    }

    [Fact]
    public void Shortening_keeps_64_characters_and_never_splits_a_surrogate_pair()
    {
        Assert.Equal("abc", InputEcho.Shorten("abc"));
        Assert.Equal(new string('x', 64), InputEcho.Shorten(new string('x', 64)));
        var emoji = new string('x', 63) + "😀" + "tail";
        Assert.Equal(new string('x', 63) + "…", InputEcho.Shorten(emoji));
    }
}
