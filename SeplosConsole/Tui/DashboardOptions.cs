namespace SeplosConsole.Tui;

/// <summary>How the CLI starts the dashboard. Immutable.</summary>
public sealed record DashboardOptions
{
    /// <summary>Null runs read-only: the edit field says that writes are disabled.</summary>
    public IParameterEditor? Editor { get; init; }

    /// <summary>How often values and ages are redrawn; 500 ms keeps the Pi's CPU low.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A reading older than this is shown as stale even if the poller has not said so yet.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Lines the log pane keeps.</summary>
    public int LogCapacity { get; init; } = 500;

    public bool LightTheme { get; init; }

    /// <summary>The history the trends view draws, filled by the caller from the start; null: the window fills its own.</summary>
    public Services.Trends.TrendStore? Trends { get; init; }

    /// <summary>Terminal.Gui driver name ("ansi", "dotnet"); null picks the platform default.</summary>
    public string? Driver { get; init; }

    /// <summary>
    /// Extra state for the end of the status line (e.g. "MQTT connected"), read on each refresh;
    /// null shows nothing. Must be cheap and thread-safe.
    /// </summary>
    public Func<string?>? ExtraStatus { get; init; }

    /// <summary>
    /// Makes a download of a pack's history for the `h` view, sharing the bus with the poller;
    /// null when the link never transmits (listen mode), and the view says so.
    /// </summary>
    public Func<byte, Services.History.HistoryDownload>? History { get; init; }

    /// <summary>Clock for ages; tests pass a manual one.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
