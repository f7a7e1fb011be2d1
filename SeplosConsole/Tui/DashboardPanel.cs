using SeplosConsole.Services;
using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>A framed part of the monitor that shows one pack. UI thread only.</summary>
public abstract class DashboardPanel : FrameView
{
    private readonly List<LiveLabel> _labels = [];

    protected DashboardPanel(string title, Palette palette)
    {
        Title = title;
        Palette = palette;
        SetScheme(palette.Window);
        CanFocus = false;
    }

    protected Palette Palette { get; private set; }

    /// <summary>Shows a pack; <paramref name="old"/> says the values are no longer current.</summary>
    public abstract void Show(PackStatus status, bool old);

    public void UsePalette(Palette palette)
    {
        Palette = palette;
        SetScheme(palette.Window);
        foreach (var label in _labels)
        {
            label.UsePalette(palette);
        }
    }

    protected LiveLabel AddLine(int x, int y, int width = -1)
    {
        var label = new LiveLabel(Palette) { X = x, Y = y, Height = 1 };
        label.Width = width < 0 ? Terminal.Gui.ViewBase.Dim.Fill() : width;
        _labels.Add(label);
        Add(label);
        return label;
    }

    /// <summary>Old values keep their text but lose their colour, except alarms, which stay red.</summary>
    protected static Tone Aged(Tone tone, bool old) => old && tone != Tone.Alarm ? Tone.Dim : tone;
}
