namespace SeplosConsole.Tui;

/// <summary>
/// The dashboard's way to change a pack setting. The CLI implements it over the write pipeline
/// (check → confirm → queued bus write → read-back); tests use a fake. Both methods are called
/// from the UI thread and must not block it: do bus work asynchronously.
/// </summary>
public interface IParameterEditor
{
    /// <summary>Validates <c>key value</c> for one pack and describes the write, or says why not.</summary>
    Task<EditPreparation> PrepareAsync(byte address, string key, string value, CancellationToken cancellationToken);

    /// <summary>Performs a write the user confirmed; reports how it ended.</summary>
    Task<EditResult> ApplyAsync(EditPreparation preparation, CancellationToken cancellationToken);

    /// <summary>
    /// The user declined or closed the confirmation of <paramref name="preparation"/>: nothing is
    /// written, and an editor with a journal records the attempt as cancelled. Called from the UI
    /// thread; the default (editors without a journal, test fakes) does nothing.
    /// </summary>
    Task CancelledAsync(EditPreparation preparation, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Why <paramref name="key"/> of pack <paramref name="address"/> cannot be written through this
    /// editor at all, or null (the value may still be refused). The parameter table shows "no" in
    /// its Write column for such keys. Called on the UI thread for every row drawn: no I/O.
    /// </summary>
    string? WhyNotWritable(byte address, string key) => null;
}

/// <summary>
/// The answer to an edit request: either a refusal with its reason, or a plan such as
/// <c>cell_high_voltage_alarm: 3.550 → 3.500 V (register 0x130B raw 3550 → 3500)</c> with warnings.
/// <see cref="Plan"/> carries the pipeline's own object back to <see cref="IParameterEditor.ApplyAsync"/>.
/// </summary>
public sealed record EditPreparation(
    byte Address,
    string Key,
    string? PlanText,
    string? RefusalReason,
    IReadOnlyList<string> Warnings,
    object? Plan = null)
{
    public bool IsRefused => RefusalReason is not null;

    public static EditPreparation Refused(byte address, string key, string reason) => new(address, key, null, reason, []);

    public static EditPreparation Planned(byte address, string key, string planText, IReadOnlyList<string>? warnings = null, object? plan = null)
        => new(address, key, planText, null, warnings ?? [], plan);
}

/// <summary>How a write ended, as the write pipeline names it.</summary>
public enum EditOutcome
{
    /// <summary>Written and read back with the new value.</summary>
    Confirmed,
    /// <summary>Written, but the read-back shows another value.</summary>
    NotConfirmed,
    /// <summary>The pipeline or the pack refused it.</summary>
    Refused,
    /// <summary>The bus failed (timeout, link down).</summary>
    Failed,
    /// <summary>The pack already had that value; nothing was written.</summary>
    NoChange,
}

public sealed record EditResult(EditOutcome Outcome, string Message);
