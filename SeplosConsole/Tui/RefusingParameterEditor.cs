namespace SeplosConsole.Tui;

/// <summary>The editor of a dashboard that must not write (listen mode): every edit is refused with the reason.</summary>
public sealed class RefusingParameterEditor(string reason) : IParameterEditor
{
    public Task<EditPreparation> PrepareAsync(byte address, string key, string value, CancellationToken cancellationToken)
        => Task.FromResult(EditPreparation.Refused(address, key, reason));

    public Task<EditResult> ApplyAsync(EditPreparation preparation, CancellationToken cancellationToken)
        => Task.FromResult(new EditResult(EditOutcome.Refused, reason));
}
