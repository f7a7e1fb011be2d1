using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>
/// The dashboard's "old → new, write it?" question. It is answered only by typing <c>yes</c> in full
/// and Enter, like the CLI's prompt: the dialog opens a moment after the edit's Enter, and a Yes button
/// (or a one-key answer) could be hit by typing that was meant for the edit field. Enter on anything
/// else, Esc and Ctrl+C cancel. UI thread only.
/// </summary>
public sealed class ConfirmWriteDialog : Dialog
{
    /// <summary>What must be typed; case and surrounding blanks do not matter (the CLI's rule).</summary>
    public const string Answer = "yes";

    public const string Prompt = "Type yes and Enter to write. Enter on anything else, Esc or Ctrl+C cancels.";

    private readonly TextField _answer;

    /// <param name="message">The plan (old → new) and its warnings, one item a line.</param>
    /// <param name="width">The screen's width: long lines are wrapped to fit inside the dialog.</param>
    public ConfirmWriteDialog(Palette palette, string message, int width)
    {
        Title = "Confirm write";
        SetScheme(palette.Window);
        var inner = Math.Max(20, width - 6);
        var text = string.Join('\n', message.Split('\n').Select(line => StatusPanel.Wrap(line, inner)));
        var textHeight = text.Split('\n').Length;
        // The hotkey marker '_' appears in every parameter key: it must stay text.
        var body = new Label { X = 0, Y = 0, Text = text, HotKeySpecifier = new System.Text.Rune(0xFFFF) };
        var prompt = new Label { X = 0, Y = textHeight + 1, Text = StatusPanel.Wrap(Prompt, inner), HotKeySpecifier = new System.Text.Rune(0xFFFF) };
        _answer = new TextField { X = 0, Y = Pos.Bottom(prompt), Width = 10 };
        // TextField copies on Ctrl+C; here Ctrl+C must reach the dialog and cancel.
        _answer.KeyBindings.Remove(Key.C.WithCtrl);
        _answer.Accepting += (_, e) =>
        {
            // Enter decides, whatever was typed; it never falls through to a default button.
            e.Handled = true;
            Close(IsYes(_answer.Text));
        };
        Add(body, prompt, _answer);
        _answer.SetFocus();
    }

    /// <summary>True only when <c>yes</c> was typed and Enter pressed; every other way out is a cancel.</summary>
    public bool Confirmed { get; private set; }

    /// <summary>True once the dialog was answered or cancelled.</summary>
    public bool Closed { get; private set; }

    public TextField AnswerField => _answer;

    public static bool IsYes(string? typed) => string.Equals(typed?.Trim(), Answer, StringComparison.OrdinalIgnoreCase);

    /// <summary>Ends the dialog as cancelled (e.g. the dashboard is asked to stop while it is open).</summary>
    public void Cancel() => Close(confirmed: false);

    protected override bool OnKeyDown(Key key)
    {
        if (key == Key.C.WithCtrl || key == Key.Esc)
        {
            Close(confirmed: false);
            return true;
        }
        return base.OnKeyDown(key);
    }

    private void Close(bool confirmed)
    {
        if (Closed)
        {
            return;
        }
        Closed = true;
        Confirmed = confirmed;
        RequestStop();
    }
}
