using Terminal.Gui.Input;
using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>
/// The edit field of the parameter view. Tab completes the key (<see cref="KeyCompletion"/>) and never
/// moves the focus away while typing; Esc always leaves the field, also while a completion is shown
/// (the inline completion would otherwise take the first Esc). UI thread only.
/// </summary>
public sealed class ParameterEditField : TextField
{
    private readonly IReadOnlyList<string> _keys;

    public ParameterEditField(IReadOnlyList<string> keys)
    {
        _keys = keys;
    }

    /// <summary>Which keys Tab may complete to now (null: all).</summary>
    public Func<string, bool>? Offers { get; set; }

    /// <summary>Raised after Tab with what it found (the field's text is already updated).</summary>
    public event EventHandler<KeyCompletion.Result>? Completed;

    protected override bool OnKeyDown(Key key)
    {
        if (key == Key.Tab && !ReadOnly)
        {
            var result = KeyCompletion.Complete(Text, Offers is { } offers ? [.. _keys.Where(offers)] : _keys);
            if (result.Text != Text)
            {
                Text = result.Text;
                MoveEnd();
            }
            Completed?.Invoke(this, result);
            return true;
        }
        if (key == Key.Esc)
        {
            // Not handled here: the dashboard takes Esc to leave the field.
            return false;
        }
        return base.OnKeyDown(key);
    }
}
