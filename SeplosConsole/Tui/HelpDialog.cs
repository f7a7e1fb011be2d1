using Terminal.Gui.App;
using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>The keys, in two aligned columns (MessageBox centres every line, which breaks the columns).</summary>
public static class HelpDialog
{
    /// <summary>Key, what it does; one row each. A row fits the dialog of a 60-column terminal (55 inside).</summary>
    public static readonly IReadOnlyList<(string Keys, string Does)> Rows =
    [
        ("t", "monitor / parameters"),
        ("h", "the pack's history (Enter: a record's cells)"),
        ("g", "trends over time (w: 10 min / 1 h / 24 h)"),
        ("e", "edit a parameter: key value, Enter"),
        ("Tab", "complete a key; lists the matches"),
        ("Esc", "leave the edit field / back to the monitor"),
        ("[ ]", "previous / next pack"),
        ("0-9", "the pack at that address"),
        ("c", "cells: value and bar / min-max since start"),
        ("d", "light / dark theme"),
        ("? F1", "this help"),
        ("q Ctrl+Q", "quit"),
    ];

    /// <summary>The rows as text: the keys padded to one width, so the descriptions line up.</summary>
    public static string Text()
    {
        var width = Rows.Max(r => r.Keys.Length) + 2;
        return string.Join('\n', Rows.Select(r => r.Keys.PadRight(width) + r.Does));
    }

    public static void Show(IApplication app, Palette palette)
    {
        using var dialog = new Dialog { Title = "Keys" };
        dialog.SetScheme(palette.Window);
        dialog.Add(new Label { X = 0, Y = 0, Text = Text(), HotKeySpecifier = new System.Text.Rune(0xFFFF) });
        dialog.AddButton(new Button { Text = "OK", IsDefault = true });
        app.Run(dialog);
    }
}
