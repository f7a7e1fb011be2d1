using Terminal.Gui.Drawing;
using Attribute = Terminal.Gui.Drawing.Attribute;

namespace SeplosConsole.Tui;

/// <summary>What a piece of text means; the palette turns it into colours for the current theme.</summary>
public enum Tone
{
    Normal,
    /// <summary>Old values, absent sensors, labels.</summary>
    Dim,
    Good,
    Warning,
    Alarm,
    /// <summary>A cell above the pack average.</summary>
    High,
    /// <summary>A cell below the pack average.</summary>
    Low,
    Heading,
}

/// <summary>The colours of one theme. Immutable; <see cref="Dark"/> and <see cref="Light"/> are the two themes.</summary>
public sealed class Palette
{
    private readonly Dictionary<Tone, Scheme> _schemes;

    private Palette(string name, Color background, Color normal, Color dim, Color good, Color warning, Color alarm, Color high, Color low, Color heading)
    {
        Name = name;
        Background = background;
        _schemes = new Dictionary<Tone, Scheme>
        {
            [Tone.Normal] = Make(normal, background),
            [Tone.Dim] = Make(dim, background),
            [Tone.Good] = Make(good, background, TextStyle.Bold),
            [Tone.Warning] = Make(warning, background, TextStyle.Bold),
            [Tone.Alarm] = Make(alarm, background, TextStyle.Bold),
            [Tone.High] = Make(high, background),
            [Tone.Low] = Make(low, background),
            [Tone.Heading] = Make(heading, background, TextStyle.Bold),
        };
        Window = Make(normal, background);
    }

    public static Palette Dark { get; } = new("dark", Color.Black, Color.Gray, Color.DarkGray, Color.BrightGreen,
        Color.BrightYellow, Color.BrightRed, Color.BrightCyan, Color.BrightMagenta, Color.White);

    // Bright yellow is unreadable on white: the light theme uses the darker shades.
    public static Palette Light { get; } = new("light", Color.White, Color.Black, Color.Gray, Color.Green,
        Color.Yellow, Color.Red, Color.Blue, Color.Magenta, Color.Black);

    public string Name { get; }
    public Color Background { get; }

    /// <summary>The scheme for frames, tables and fields.</summary>
    public Scheme Window { get; }

    public Scheme For(Tone tone) => _schemes[tone];

    public Color Foreground(Tone tone) => _schemes[tone].Normal.Foreground;

    private static Scheme Make(Color foreground, Color background, TextStyle style = TextStyle.None)
    {
        var normal = new Attribute(foreground, background, style);
        // Focus shown inverted so the selected table row and the edit field stand out in both themes.
        return new Scheme(normal) { Focus = new Attribute(background, foreground, style) };
    }
}
