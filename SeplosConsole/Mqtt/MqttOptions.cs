using System.Collections.Frozen;
using System.Globalization;
using SeplosConsole.Seplos;

namespace SeplosConsole.Mqtt;

/// <summary>
/// Everything the MQTT bridge needs to know, filled by the CLI from the <c>[mqtt]</c> section of
/// seplos.ini (plus seplos.secret.ini / SEPLOS_MQTT__PASS for the password).
/// </summary>
public sealed record MqttOptions
{
    /// <summary>Broker host name or address. Required.</summary>
    public required string Server { get; init; }

    public int Port { get; init; } = 1883;

    public string? User { get; init; }

    /// <summary>Never logged; <see cref="ToString"/> masks it.</summary>
    public string? Password { get; init; }

    public bool Tls { get; init; }

    /// <summary>PEM file of the CA that signs the broker's certificate; null = the system's trusted roots.</summary>
    public string? CaFile { get; init; }

    /// <summary>PEM client certificate, for brokers that ask for one; its key in <see cref="KeyFile"/> or in the same file.</summary>
    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>
    /// MQTT client id. Unique per running instance: two clients with the same id knock each other
    /// off the broker, so the default adds the process id and a random suffix to the host name.
    /// </summary>
    public string ClientId { get; init; } = DefaultClientId();

    /// <summary>First level of the state topics; "seplos" as the original tool.</summary>
    public string Prefix { get; init; } = "seplos";

    public string DiscoveryPrefix { get; init; } = "homeassistant";

    /// <summary>Everything is published again this often, even when nothing changed.</summary>
    public TimeSpan RepublishInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// HA marks an entity unavailable when its state topic has been silent this long. Because
    /// unchanged values are only sent with the full republish, the bridge never uses less than
    /// <see cref="RepublishInterval"/> + 60 s (see <see cref="EffectiveExpireAfter"/>); null = that.
    /// </summary>
    public TimeSpan? ExpireAfter { get; init; }

    /// <summary>
    /// Smallest change that is published, by field key. Cells default to 3 mV as the original tool.
    /// A key not listed falls back to <see cref="QuantityDeadbands"/>, then to "any change".
    /// </summary>
    public IReadOnlyDictionary<string, double> Deadbands { get; init; } = DefaultDeadbands;

    /// <summary>Smallest change that is published, by kind of value (e.g. Temperature → 0.2).</summary>
    public IReadOnlyDictionary<Quantity, double> QuantityDeadbands { get; init; } = FrozenDictionary<Quantity, double>.Empty;

    /// <summary>Publish <c>number</c> entities and accept commands from MQTT. Off by default.</summary>
    public bool AllowWrites { get; init; }

    /// <summary>Parameter keys HA may change when <see cref="AllowWrites"/> is on; only writable map fields count.</summary>
    public IReadOnlyList<string> WriteAllowList { get; init; } = [];

    /// <summary>How long one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First and last wait between failed connection attempts (doubling in between).</summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Range of the random wait after HA's birth message, so many bridges don't answer at once.</summary>
    public TimeSpan MinBirthDelay { get; init; } = TimeSpan.FromSeconds(0.5);

    public TimeSpan MaxBirthDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long the first discovery of a pack waits for its identity (VIA: serial, model,
    /// firmware). Announcing before would send every config twice: once without, once with the
    /// device details (~300 a pack).
    /// </summary>
    public TimeSpan IdentityWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A command that says when it was sent (user property <c>sent_at</c>) is refused when older than this.</summary>
    public TimeSpan MaxCommandAge { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan EffectiveExpireAfter
    {
        get
        {
            var floor = RepublishInterval + TimeSpan.FromSeconds(60);
            return ExpireAfter is { } configured && configured > floor ? configured : floor;
        }
    }

    /// <summary>Cell voltages: 3 mV, as the original tool, so balancing noise does not flood the broker.</summary>
    public static IReadOnlyDictionary<string, double> DefaultDeadbands { get; } =
        Enumerable.Range(1, 16).ToFrozenDictionary(cell => $"cell_{cell}", _ => 0.003);

    public static string DefaultClientId()
    {
        var host = new string([.. Environment.MachineName.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit)]);
        var suffix = Random.Shared.Next(0x10000).ToString("x4", CultureInfo.InvariantCulture);
        return $"seplos-{(host.Length == 0 ? "host" : host)}-{Environment.ProcessId}-{suffix}";
    }

    /// <summary>Deadband for a field: by key, then by quantity, else 0 (any change of the formatted value).</summary>
    public double DeadbandFor(FieldDefinition field)
        => Deadbands.TryGetValue(field.Key, out var byKey) ? byKey
            : QuantityDeadbands.TryGetValue(field.Quantity, out var byQuantity) ? byQuantity
            : 0;

    /// <summary>Writable, allow-listed fields (only when writes are on).</summary>
    public IReadOnlyList<FieldDefinition> WritableFields()
        => AllowWrites
            ? [.. WriteAllowList.Select(SeplosMap.FindField).OfType<FieldDefinition>().Where(f => f.Writable && !f.Uncertain).Distinct()]
            : [];

    /// <summary>For logs: the password never appears.</summary>
    public override string ToString()
        => $"mqtt{(Tls ? "s" : "")}://{(User is { Length: > 0 } ? User + (Password is { Length: > 0 } ? ":***" : "") + "@" : "")}{Server}:{Port} client_id={ClientId} prefix={Prefix} discovery_prefix={DiscoveryPrefix} writes={(AllowWrites ? string.Join(',', WriteAllowList) : "off")}";
}
