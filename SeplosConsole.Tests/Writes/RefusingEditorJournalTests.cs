using SeplosConsole.Services.Writes;
using SeplosConsole.Tui;

namespace SeplosConsole.Tests.Writes;

/// <summary>Issue 10: an edit the dashboard refuses because it must not write (listen, replay, broker) is on record too.</summary>
public sealed class RefusingEditorJournalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("seplos-refusing-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_refused_edit_of_a_dashboard_that_must_not_write_is_journaled_with_the_reason()
    {
        var journal = new WriteJournal(Path.Combine(_folder, "journal.jsonl"));
        var editor = new RefusingParameterEditor("listen mode never transmits", journal, "/dev/ttyUSB0");

        var preparation = await editor.PrepareAsync(2, "cell-high-voltage-alarm", "3.55", CancellationToken.None);

        Assert.Equal("listen mode never transmits", preparation.RefusalReason);
        var line = Assert.Single(await File.ReadAllLinesAsync(journal.Path));
        Assert.Contains("\"result\":\"refused\"", line, StringComparison.Ordinal);
        Assert.Contains("\"key\":\"cell_high_voltage_alarm\"", line, StringComparison.Ordinal);
        Assert.Contains("\"requested\":\"3.55\"", line, StringComparison.Ordinal);
        Assert.Contains("\"source\":\"tui\"", line, StringComparison.Ordinal);
        Assert.Contains("\"address\":2", line, StringComparison.Ordinal);
        Assert.Contains("listen mode never transmits", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_that_cannot_be_journaled_says_so()
    {
        // A journal path that is a directory cannot take a line, as root too.
        var editor = new RefusingParameterEditor("replaying a recording", new WriteJournal(_folder), "r.rec");

        var preparation = await editor.PrepareAsync(0, "soc_low_alarm", "20", CancellationToken.None);

        Assert.StartsWith("replaying a recording (not journaled: ", preparation.RefusalReason, StringComparison.Ordinal);
        Assert.Contains("is a directory", preparation.RefusalReason, StringComparison.Ordinal);
    }
}
