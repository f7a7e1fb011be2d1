using SeplosConsole.Config;
using SeplosConsole.Mqtt;

namespace SeplosConsole.Cli;

/// <summary>The broker as a bus: <c>--port mqtt://…</c>, <c>serial = mqtt://…</c> or <c>--mqtt</c>.</summary>
internal static class RemoteBus
{
    public static BrokerFeed CreateFeed(SeplosSettings settings) => Open(settings).Feed;

    /// <summary>The feed and the broker options it uses (their connect time-out bounds a one-shot read).</summary>
    public static (BrokerFeed Feed, MqttOptions Options) Open(SeplosSettings settings)
    {
        var (options, prefixes, error) = BrokerAddress.Parse(settings.Port, MqttCommand.ReadOptions(settings.Configuration));
        return options is null ? throw new CliException(error!) : (new BrokerFeed(options, prefixes), options);
    }

    /// <summary>The <c>--mqtt</c> short form: the broker and prefix of [mqtt].</summary>
    public static string PortFromSection(SeplosSettings settings)
        => MqttCommand.ReadOptions(settings.Configuration) is { } section
            ? BrokerAddress.FromSection(section)
            : throw new CliException("--mqtt reads the packs from the broker in [mqtt]: set server there (see docs/mqtt.md), or use --port mqtt://host:port/prefix");

    /// <summary>
    /// The refusal of every command that asks the pack itself (restore, backup, history, clock,
    /// info, bench): a broker carries the bridges' readings and single parameter edits, not the bus.
    /// </summary>
    public static CliException NeedsTheBus(string port)
        => new($"{port} is a broker, and this command needs the bus: run it on the machine that owns the bus (the one running `seplos mqtt`); from a broker only the dashboard, show, all and watch read, and `edit` and the dashboard send single parameter edits to a bridge that allows writes (docs/mqtt.md, Remote edits; restore is not sent over MQTT)");
}
