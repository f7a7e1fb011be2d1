using SeplosConsole.Seplos;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>
/// The parameter table with the edit field and a line for the latest write's state below it.
/// UI thread only.
/// </summary>
public sealed class ParametersView : View
{
    private readonly ParameterTableSource _source = new();
    private readonly TableView _table;
    private readonly ParameterEditField _edit;
    private readonly LiveLabel _prompt;
    private readonly LiveLabel _result;
    private readonly ParameterKeySuggestions _suggestions = new();
    private PackSnapshot? _shown;

    public ParametersView(Palette palette, bool writesEnabled)
    {
        CanFocus = true;
        _table = new TableView
        {
            X = 0,
            Y = 0,
            Width = Dim.Fill(),
            Height = Dim.Fill(2),
            Table = _source,
            FullRowSelect = true,
            // Type-ahead search would swallow the dashboard's letter keys (platform notes).
            CollectionNavigator = null,
        };
        _prompt = new LiveLabel(palette, Tone.Heading) { X = 0, Y = Pos.AnchorEnd(2), Width = Prompt.Length, Height = 1, Text = Prompt };
        string[] keys = [.. SeplosMap.WritableParameters.Select(f => f.Key).Order(StringComparer.Ordinal)];
        _edit = new ParameterEditField(keys) { X = Prompt.Length, Y = Pos.AnchorEnd(2), Width = Dim.Fill(), ReadOnly = !writesEnabled };
        if (writesEnabled)
        {
            // The default popup autocomplete is never drawn in 2.5.0 yet captures Enter (platform notes);
            // the inline one shows the first match dimmed, Tab completes (ParameterEditField).
            var autocomplete = new AppendAutocomplete(_edit) { SuggestionGenerator = _suggestions };
            _suggestions.AllSuggestions = [.. keys];
            _edit.Autocomplete = autocomplete;
        }
        else
        {
            _edit.Text = "writes are disabled (read-only mode)";
        }
        _result = new LiveLabel(palette, Tone.Dim)
        {
            X = 0,
            Y = Pos.AnchorEnd(1),
            Width = Dim.Fill(),
            Height = 1,
            Text = writesEnabled ? "type: key value, Enter to check and confirm; Tab completes; Esc leaves" : "writes are disabled",
        };
        _edit.Completed += (_, result) => _result.Show(KeyCompletion.Describe(result, Math.Max(20, Viewport.Width)), Tone.Normal);
        Add(_table, _prompt, _edit, _result);
        UsePalette(palette);
    }

    public TableView Table => _table;
    /// <summary>Shown when Esc leaves the edit field: where the keys go now.</summary>
    public const string LeftFieldHint = "left the edit field: e edits again, Esc or t back to the monitor";

    /// <summary>The label before the edit field.</summary>
    public const string Prompt = "Edit: ";

    public TextField EditField => _edit;
    public ParameterTableSource Source => _source;
    public string ResultText => _result.Text;

    /// <summary>Refreshes values in place; does nothing when the snapshot is the one shown.</summary>
    public void Show(PackSnapshot snapshot)
    {
        if (ReferenceEquals(snapshot, _shown))
        {
            return;
        }
        _shown = snapshot;
        _source.Snapshot = snapshot;
        _table.Update();
    }

    public void ShowWriteState(string key, string state, string message, Tone tone)
    {
        _source.SetWriteState(key, state);
        _table.Update();
        _result.Show(message, tone);
    }

    public void ShowMessage(string message, Tone tone) => _result.Show(message, tone);

    /// <summary>
    /// Why a key cannot be written from here (null: it can): the Write column says "no" for it, and
    /// neither Tab nor the inline suggestion offers it (a remote dashboard: what the bridge refuses).
    /// </summary>
    public void UseWriteRefusal(Func<string, string?> refusal)
    {
        _source.WriteRefusal = refusal;
        _edit.Offers = _suggestions.Offers = key => refusal(key) is null;
    }

    public void UsePalette(Palette palette)
    {
        SetScheme(palette.Window);
        _table.SetScheme(palette.Window);
        _edit.SetScheme(palette.Window);
        _prompt.UsePalette(palette);
        _result.UsePalette(palette);
    }
}
