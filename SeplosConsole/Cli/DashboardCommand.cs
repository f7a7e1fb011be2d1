using System.CommandLine;
using SeplosConsole.Mqtt;
using SeplosConsole.Services;
using SeplosConsole.Services.Writes;
using SeplosConsole.Services.Trends;
using SeplosConsole.Tui;

namespace SeplosConsole.Cli;

/// <summary>
/// <c>seplos</c> with no command: the live dashboard. Polls in the background, edits through the
/// write queue, and mirrors to MQTT too when [mqtt] server is set (as the original tool did).
/// </summary>
public static class DashboardCommand
{
    public static void AttachTo(RootCommand root, CliContext context, GlobalOptions global)
    {
        var light = new Option<bool>("--light") { Description = "Start with the light theme (d toggles)" };
        root.Options.Add(light);
        root.SetAction(async (parse, cancellationToken) =>
        {
            var settings = global.Resolve(parse, context);
            var mqttOptions = MqttCommand.ReadOptions(settings.Configuration);
            var bus = LiveBus.Create(settings);
            await using var busScope = bus.ConfigureAwait(false);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

            MqttBridge? bridge = null;
            Task bridging = Task.CompletedTask;
            // Fed from the broker, mirroring back to it would echo the bridges' own packs.
            if (mqttOptions is not null && bus.Feed is not BrokerFeed)
            {
                // Bridge messages go to the dashboard's log through the feed's event stream.
                bridge = new MqttBridge(mqttOptions, (level, message) => bus.Report(level, $"MQTT: {message}"),
                    mqttOptions.AllowWrites && bus.Writes is not null ? new WriteQueueHandler(bus.Writes) : null);
                bridging = bridge.RunAsync(bus.Feed, stop.Token);
            }
            // The dashboard shows the outcome of its own edits, and the bridge logs each MQTT write
            // (with its result) to the dashboard's log; nothing else writes here.

            // Filled from the first reading (a fast replay can be over before the dashboard is up).
            var trends = new TrendStore();
            using var trendFilling = trends.Attach(bus.Feed);
            var polling = bus.RunAsync(stop.Token);
            int exitCode;
            try
            {
                exitCode = await Dashboard.RunAsync(bus.Feed, new DashboardOptions
                {
                    Editor = bus.DashboardEditor(),
                    LightTheme = parse.GetValue(light),
                    Trends = trends,
                    ExtraStatus = bridge is null && bus.RecordingStatus is null ? null
                        : () => string.Join(" | ", new[] { bus.RecordingStatus, bridge?.Status.ToString() }.Where(part => part is { Length: > 0 })),
                    History = bus.Poller is { } poller ? address => Services.History.HistoryDownload.OnBus(poller, address) : null,
                }, stop.Token, context.Error).ConfigureAwait(false);
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                // Both, even when one failed: the bridge still says "offline" before the process ends.
                await Task.WhenAll(polling, bridging).ConfigureAwait(false);
            }
            return exitCode;
        });
    }
}
