using SeplosConsole.Seplos;
using SeplosConsole.Services.Writes;

namespace SeplosConsole.Tui;

/// <summary>
/// The editor of a dashboard that must not write (listen mode, a replay, a broker feed): every edit
/// is refused with the reason, and the refusal is journaled like any other attempt (issue 10:
/// every attempt from every front end is on record).
/// </summary>
public sealed class RefusingParameterEditor(string reason, WriteJournal? journal = null, string port = "", TimeProvider? time = null) : IParameterEditor
{
    public Task<EditPreparation> PrepareAsync(byte address, string key, string value, CancellationToken cancellationToken)
        => Task.FromResult(EditPreparation.Refused(address, key, Record(address, key, value)));

    public Task<EditResult> ApplyAsync(EditPreparation preparation, CancellationToken cancellationToken)
        => Task.FromResult(new EditResult(EditOutcome.Refused, reason));

    /// <summary>The reason shown: the refusal itself, plus why it is not on record when the journal fails.</summary>
    private string Record(byte address, string key, string value)
    {
        if (journal is null)
        {
            return reason;
        }
        var field = ParameterResolver.Resolve(key).Field;
        try
        {
            journal.Append(new WriteJournalEntry
            {
                Time = (time ?? TimeProvider.System).GetUtcNow(),
                Source = "tui",
                Port = port,
                Address = address,
                Key = field?.Key ?? InputEcho.Shorten(key.Trim()),
                Requested = InputEcho.Shorten(value),
                Register = field is null ? null : $"0x{field.Address:X4}",
                Unit = field?.Unit,
                Result = WriteJournal.ResultName(WriteResult.Refused),
                Reason = reason,
            });
            return reason;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{reason} (not journaled: {WriteJournal.Explain(ex, journal.Path)})";
        }
    }
}
