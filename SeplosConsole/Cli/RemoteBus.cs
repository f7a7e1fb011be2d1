using SeplosConsole.Config;
using SeplosConsole.Mqtt;

namespace SeplosConsole.Cli;

/// <summary>The broker as a bus: <c>--port mqtt://…</c>, <c>serial = mqtt://…</c> or <c>--mqtt</c>.</summary>
internal static class RemoteBus
{
    public static BrokerFeed CreateFeed(SeplosSettings settings)
    {
        var (options, prefixes, error) = BrokerAddress.Parse(settings.Port, MqttCommand.ReadOptions(settings.Configuration));
        return options is null ? throw new CliException(error!) : new BrokerFeed(options, prefixes);
    }

    /// <summary>The <c>--mqtt</c> short form: the broker and prefix of [mqtt].</summary>
    public static string PortFromSection(SeplosSettings settings)
        => MqttCommand.ReadOptions(settings.Configuration) is { } section
            ? BrokerAddress.FromSection(section)
            : throw new CliException("--mqtt reads the packs from the broker in [mqtt]: set server there (see docs/mqtt.md), or use --port mqtt://host:port/prefix");
}
