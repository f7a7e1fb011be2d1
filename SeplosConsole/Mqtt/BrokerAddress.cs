namespace SeplosConsole.Mqtt;

/// <summary>
/// <c>mqtt://host[:port][/prefix[,prefix…]]</c> (or <c>mqtts://</c>) as a port: packs read from
/// what bridges publish on that broker. Login, TLS files and the default prefix come from the
/// <c>[mqtt]</c> section when it is there.
/// </summary>
public static class BrokerAddress
{
    /// <summary>True for a port that names a broker.</summary>
    public static bool IsBroker(string? port)
        => port is not null && (port.StartsWith("mqtt://", StringComparison.OrdinalIgnoreCase) || port.StartsWith("mqtts://", StringComparison.OrdinalIgnoreCase));

    /// <summary>The broker's options and the prefixes to follow, or the reason the address is wrong.</summary>
    /// <param name="section">The [mqtt] options, for login, TLS files and prefix; null when there is no section.</param>
    public static (MqttOptions? Options, IReadOnlyList<string> Prefixes, string? Error) Parse(string port, MqttOptions? section)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (!Uri.TryCreate(port, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host) || !IsBroker(port))
        {
            return (null, [], $"'{port}' is not a broker address: mqtt://host[:port][/prefix]");
        }
        var tls = uri.Scheme.Equals("mqtts", StringComparison.OrdinalIgnoreCase) || section?.Tls == true;
        var basis = section ?? new MqttOptions { Server = uri.Host };
        var options = basis with
        {
            Server = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? (tls ? 8883 : 1883) : uri.Port,
            Tls = tls,
            // A viewer has its own client id: the bridge's would knock the bridge off the broker.
            ClientId = MqttOptions.DefaultClientId().Replace("seplos-", "seplos-view-", StringComparison.Ordinal),
        };
        var prefixes = uri.AbsolutePath.Trim('/').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (options, prefixes.Length > 0 ? prefixes : [basis.Prefix], null);
    }

    /// <summary>
    /// The <c>--mqtt</c> short form: the broker of the [mqtt] section and every bridge on it
    /// (prefix <c>+</c>: any one-level prefix), so several bridges show as one list.
    /// </summary>
    public static string FromSection(MqttOptions section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return $"{(section.Tls ? "mqtts" : "mqtt")}://{section.Server}:{section.Port}/+";
    }
}
