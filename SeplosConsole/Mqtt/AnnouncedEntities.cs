using System.Text.Json.Nodes;

namespace SeplosConsole.Mqtt;

/// <summary>
/// The discovery configs this bridge has announced, kept as one retained message on
/// <c>&lt;prefix&gt;/bridge/discovery</c> so a later run knows what it must remove: an entity
/// announced before and not offered now (a number after <c>allow_writes</c> was turned off, a pack
/// no longer configured) gets an empty retained config, which makes Home Assistant delete it.
/// Reading back our own record (not every retained config under the discovery prefix) keeps a
/// bridge from deleting another bridge's entities. Not thread-safe: the connection loop owns it.
/// </summary>
internal sealed class AnnouncedEntities(MqttTopics topics)
{
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
    private string? _lastRecord;

    /// <summary>True once the record of the previous run was read (or found absent).</summary>
    public bool Loaded { get; private set; }

    public void Add(string configTopic) => _topics.Add(configTopic);

    /// <summary>A config emptied on purpose (a sensor not fitted) is no longer announced.</summary>
    public void Remove(string configTopic) => _topics.Remove(configTopic);

    /// <summary>
    /// Takes the previous run's record and returns the config topics to empty: those not in
    /// <paramref name="possible"/>. The others are kept in this run's record.
    /// </summary>
    public IReadOnlyList<string> Load(string? previousRecord, IReadOnlySet<string> possible)
    {
        Loaded = true;
        var stale = new List<string>();
        var (previous, unreadable) = Parse(previousRecord);
        Unreadable = unreadable;
        foreach (var topic in previous)
        {
            if (possible.Contains(topic))
            {
                _topics.Add(topic);
            }
            else
            {
                stale.Add(topic);
            }
        }
        return stale;
    }

    /// <summary>The record to publish when it differs from the last one published (or a new session needs it); else null.</summary>
    public string? RecordIfChanged(bool forceForNewSession)
    {
        var record = Serialise();
        if (!forceForNewSession && record == _lastRecord)
        {
            return null;
        }
        _lastRecord = record;
        return record;
    }

    private string Serialise()
    {
        // Relative to the discovery prefix: about 30 bytes an entity, ~9 KB for a pack of ~300.
        var head = topics.DiscoveryPrefix + "/";
        var configs = new JsonArray();
        foreach (var topic in _topics.Order(StringComparer.Ordinal))
        {
            configs.Add((JsonNode?)JsonValue.Create(topic.StartsWith(head, StringComparison.Ordinal) ? topic[head.Length..] : topic));
        }
        return new JsonObject { ["discovery_prefix"] = topics.DiscoveryPrefix, ["configs"] = configs }.ToJsonString();
    }

    /// <summary>Why the previous run's record could not be read (nothing is removed then), or null.</summary>
    public string? Unreadable { get; private set; }

    private static (List<string> Topics, string? Unreadable) Parse(string? record)
    {
        var topics = new List<string>();
        if (string.IsNullOrWhiteSpace(record))
        {
            return (topics, null);
        }
        try
        {
            if (JsonNode.Parse(record) is not JsonObject root || root["discovery_prefix"]?.GetValue<string>() is not { Length: > 0 } prefix || root["configs"] is not JsonArray configs)
            {
                return (topics, "not a record of announced configs");
            }
            foreach (var item in configs)
            {
                // Only config topics: a damaged or forged record must not make us empty anything else.
                if (item?.GetValue<string>() is { } relative && relative.EndsWith("/config", StringComparison.Ordinal) && !relative.Contains('#', StringComparison.Ordinal) && !relative.Contains('+', StringComparison.Ordinal))
                {
                    topics.Add($"{prefix}/{relative}");
                }
            }
            return (topics, null);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            // A damaged record (not JSON, a number where a topic belongs): nothing is emptied on its
            // word; the caller says so, and this run's record replaces it.
            return ([], ex.Message);
        }
    }
}
