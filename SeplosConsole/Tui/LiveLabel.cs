using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>
/// A label that is told its text and tone on every refresh but only marks itself for redraw when
/// one of them changed: redrawing everything every time cost ~20 % of a core on the probe app.
/// UI thread only.
/// </summary>
public sealed class LiveLabel : Label
{
    private Palette _palette;

    public LiveLabel(Palette palette, Tone tone = Tone.Normal)
    {
        _palette = palette;
        Tone = tone;
        // Keys like cell_high_voltage_alarm contain '_', the default hotkey marker: it would eat one.
        HotKeySpecifier = new System.Text.Rune(0xFFFF);
        SetScheme(palette.For(tone));
    }

    public Tone Tone { get; private set; }

    public void Show(string text, Tone tone)
    {
        if (text != Text)
        {
            Text = text;
        }
        if (tone != Tone)
        {
            Tone = tone;
            SetScheme(_palette.For(tone));
        }
    }

    public void UsePalette(Palette palette)
    {
        _palette = palette;
        SetScheme(palette.For(Tone));
    }
}
