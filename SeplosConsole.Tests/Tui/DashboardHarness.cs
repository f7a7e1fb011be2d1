using Microsoft.Extensions.Time.Testing;
using SeplosConsole.Services;
using SeplosConsole.Tui;
using Terminal.Gui.App;
using Terminal.Gui.Drawing;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;
using Terminal.Gui.Time;
using Terminal.Gui.Views;

namespace SeplosConsole.Tests.Tui;

/// <summary>A dashboard on a headless Terminal.Gui application with virtual time (platform notes recipe).</summary>
internal sealed class DashboardHarness : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly SessionToken? _session;

    public DashboardHarness(FakeFeed feed, IParameterEditor? editor = null, int width = 120, int height = 40, Func<byte, global::SeplosConsole.Services.History.HistoryDownload>? history = null)
    {
        Feed = feed;
        // Log lines carry the local time of day: UTC keeps them the same on every machine.
        Clock.SetLocalTimeZone(TimeZoneInfo.Utc);
        Time = new VirtualTimeProvider();
        App = Application.Create(Time);
        App.Init("ansi");
        App.Driver!.SetScreenSize(width, height);
        Window = new DashboardWindow(App, feed, new DashboardOptions { Editor = editor, Clock = Clock, History = history });
        _session = App.Begin(Window);
    }

    public IApplication App { get; }
    public VirtualTimeProvider Time { get; }
    /// <summary>The dashboard's clock for ages; it runs no timers, so moving it alone only ages the readings.</summary>
    public FakeTimeProvider Clock { get; } = new(Start);
    public FakeFeed Feed { get; }
    public DashboardWindow Window { get; }

    /// <summary>Lets time pass on both clocks and runs the due timers and queued Invokes.</summary>
    public void Advance(TimeSpan span)
    {
        Clock.Advance(span);
        Time.Advance(span);
        App.TimedEvents!.RunTimers();
    }

    public string Screen()
    {
        App.TimedEvents!.RunTimers();
        App.LayoutAndDraw(true);
        return App.Driver!.ToString()!;
    }

    public void Press(params Key[] keys)
    {
        foreach (var key in keys)
        {
            App.InjectKey(key);
        }
    }

    public void Type(string text)
    {
        foreach (var c in text)
        {
            App.InjectKey(new Key(c));
        }
    }

    /// <summary>Answers the next dialog with <paramref name="keys"/> as soon as it shows (it runs its own loop).</summary>
    public void AnswerNextDialog(params Key[] keys) => OnNextDialog(() =>
    {
        foreach (var key in keys)
        {
            App.InjectKey(key);
        }
    });

    /// <summary>Types <paramref name="text"/> into the next dialog and presses Enter.</summary>
    public void AnswerNextDialog(string text) => AnswerNextDialog([.. text.Select(c => new Key(c)), Key.Enter]);

    /// <summary>Runs <paramref name="action"/> once, on the first iteration where a dialog is on top.</summary>
    public void OnNextDialog(Action action)
    {
        var answered = false;
        void OnIteration(object? sender, EventArgs e)
        {
            if (!answered && App.TopRunnableView is Dialog)
            {
                answered = true;
                App.Iteration -= OnIteration;
                action();
            }
        }
        App.Iteration += OnIteration;
    }

    /// <summary>The screen as text while the next dialog is open; then <paramref name="answer"/> closes it.</summary>
    public Func<string?> CaptureNextDialog(params Key[] answer)
    {
        string? seen = null;
        OnNextDialog(() =>
        {
            App.LayoutAndDraw(true);
            seen = App.Driver!.ToString();
            foreach (var key in answer)
            {
                App.InjectKey(key);
            }
        });
        return () => seen;
    }

    /// <summary>The foreground colour where <paramref name="text"/> first appears on screen.</summary>
    public Color? ForegroundOf(string text)
    {
        var lines = Screen().Split('\n');
        for (var row = 0; row < lines.Length; row++)
        {
            var col = lines[row].IndexOf(text, StringComparison.Ordinal);
            if (col >= 0)
            {
                return App.Driver!.Contents![row, col].Attribute is { } attribute ? attribute.Foreground : null;
            }
        }
        return null;
    }

    public void Dispose()
    {
        Window.Dispose();
        if (_session is not null)
        {
            App.End(_session);
        }
        App.Dispose();
    }
}
