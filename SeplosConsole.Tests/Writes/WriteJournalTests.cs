using SeplosConsole.Services.Writes;

namespace SeplosConsole.Tests.Writes;

public sealed class WriteJournalTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "seplos-journal-" + Guid.NewGuid().ToString("N"));

    private static WriteJournalEntry Entry(int n) => new()
    {
        Time = DateTimeOffset.UnixEpoch.AddSeconds(n),
        Source = "test",
        Port = "/dev/ttyUSB0",
        Address = 0,
        Key = "battery_low_voltage_alarm",
        Requested = n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Result = "refused",
        Reason = "why",
    };

    [Fact]
    public void Concurrent_appends_keep_every_line_whole()
    {
        var journal = new WriteJournal(Path.Combine(_folder, "state", "journal.jsonl"));
        var second = new WriteJournal(journal.Path);

        Parallel.For(0, 200, n => (n % 2 == 0 ? journal : second).Append(Entry(n)));

        var requested = journal.Read().Select(e => int.Parse(e.Requested, System.Globalization.CultureInfo.InvariantCulture)).Order();
        Assert.Equal(Enumerable.Range(0, 200), requested);
    }

    [Fact]
    public void Lines_are_snake_case_json_with_utc_time_and_a_torn_line_does_not_hide_the_rest()
    {
        var journal = new WriteJournal(Path.Combine(_folder, "journal.jsonl"));
        journal.Append(Entry(1));
        File.AppendAllText(journal.Path, "{\"time\": \"2025-");
        File.AppendAllText(journal.Path, "\n");
        journal.Append(Entry(2));

        var first = File.ReadLines(journal.Path).First();
        Assert.StartsWith("{\"time\":\"1970-01-01T00:00:01+00:00\",\"source\":\"test\",\"port\":\"/dev/ttyUSB0\"", first, StringComparison.Ordinal);
        Assert.Equal(["1", "2"], journal.Read().Select(e => e.Requested));
    }

    [Fact]
    public void Default_path_is_in_the_users_state_directory()
        => Assert.EndsWith(Path.Combine("seplos", "journal.jsonl"), WriteJournal.DefaultPath(), StringComparison.Ordinal);

    [Fact]
    public void Reading_a_journal_that_does_not_exist_gives_nothing()
        => Assert.Empty(new WriteJournal(Path.Combine(_folder, "none.jsonl")).Read());

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
