using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Mqtt;

/// <summary>A pack's status as a remote viewer gets it from a bridge, and which bridge sent it.</summary>
/// <param name="WriteKeys">Parameters the bridge accepts commands for (empty: it accepts none).</param>
public sealed record RemotePackStatus(string Bridge, PackStatus Status, IReadOnlyList<string> WriteKeys, DateTimeOffset PublishedAt);

/// <summary>
/// <c>&lt;prefix&gt;/battery_&lt;addr&gt;/snapshot</c>: one retained, compact JSON document per pack
/// per poll, snake_case. It carries the raw blocks with their read times (hex, as the pack sent
/// them), so a viewer decodes them through the same map into the same <see cref="PackSnapshot"/>
/// the bridge has; scripts that want single values have the per-key topics.
/// </summary>
public static class PackSnapshotMessage
{
    public static string Serialise(PackStatus status, string bridge, IEnumerable<string> writeKeys, DateTimeOffset publishedAt)
    {
        ArgumentNullException.ThrowIfNull(status);
        var blocks = new JsonObject();
        foreach (var (id, reading) in status.Snapshot.Blocks.OrderBy(b => b.Key))
        {
            blocks[Name(id)] = new JsonObject { ["read_at"] = Time(reading.ReadAt), ["hex"] = Convert.ToHexString(reading.Payload.Span) };
        }
        var c = status.Counters;
        var keys = new JsonArray();
        foreach (var key in writeKeys)
        {
            keys.Add((JsonNode?)JsonValue.Create(key));
        }
        return new JsonObject
        {
            ["address"] = status.Address,
            ["bridge"] = bridge,
            ["state"] = status.State.ToString().ToLowerInvariant(),
            ["read_at"] = status.Snapshot.UpdatedAt is { } read ? Time(read) : null,
            ["last_success"] = status.LastSuccess is { } success ? Time(success) : null,
            ["last_error"] = status.LastError,
            ["published_at"] = Time(publishedAt),
            ["write_keys"] = keys,
            ["blocks"] = blocks,
            ["counters"] = new JsonObject
            {
                ["requests"] = c.Requests, ["replies"] = c.Replies, ["timeouts"] = c.Timeouts, ["crc_errors"] = c.CrcErrors,
                ["exceptions"] = c.Exceptions, ["mismatches"] = c.Mismatches, ["bytes_sent"] = c.BytesSent,
                ["bytes_received"] = c.BytesReceived, ["discarded_bytes"] = c.DiscardedBytes, ["echoes"] = c.Echoes,
                ["link_failures"] = c.LinkFailures, ["last_round_trip_ms"] = c.LastRoundTrip.TotalMilliseconds,
                ["average_round_trip_ms"] = c.AverageRoundTrip.TotalMilliseconds, ["max_round_trip_ms"] = c.MaxRoundTrip.TotalMilliseconds,
            },
        }.ToJsonString();
    }

    /// <summary>The status in a message, or null with the reason when it is not one (never throws on bad input).</summary>
    public static (RemotePackStatus? Status, string? Error) Parse(string payload)
    {
        try
        {
            if (JsonNode.Parse(payload) is not JsonObject root)
            {
                return (null, "not a JSON object");
            }
            var address = checked((byte)(root["address"]?.GetValue<int>() ?? throw new FormatException("no address")));
            var readings = new List<BlockReading>();
            foreach (var (name, node) in (root["blocks"] as JsonObject) ?? [])
            {
                // A block this version does not know (a newer bridge) is skipped, not an error.
                if (!Enum.TryParse<BlockId>(name, ignoreCase: true, out var id) || node is not JsonObject block)
                {
                    continue;
                }
                var bytes = Convert.FromHexString(block["hex"]?.GetValue<string>() ?? throw new FormatException($"block {name} has no hex"));
                // A pack that answers PIA with 0x11 registers (its fallback read) publishes 34 bytes: a whole reading too.
                var definition = SeplosMap.Block(id);
                if (!definition.IsWholePayload(bytes.Length))
                {
                    return (null, $"block {name} has {bytes.Length} bytes, the map says {definition.PayloadLength}");
                }
                readings.Add(new BlockReading(id, bytes, ParseTime(block["read_at"]) ?? throw new FormatException($"block {name} has no read_at")));
            }
            var counters = root["counters"] as JsonObject;
            long Count(string key) => counters?[key]?.GetValue<long>() ?? 0;
            TimeSpan Ms(string key) => TimeSpan.FromMilliseconds(counters?[key]?.GetValue<double>() ?? 0);
            var status = new PackStatus(
                address,
                Enum.TryParse<PackLinkState>(root["state"]?.GetValue<string>(), ignoreCase: true, out var state) ? state : PackLinkState.Online,
                PackSnapshot.Empty(address).With(readings),
                ParseTime(root["last_success"]),
                root["last_error"]?.GetValue<string>(),
                new LinkCountersSnapshot(Count("requests"), Count("replies"), Count("timeouts"), Count("crc_errors"), Count("exceptions"),
                    Count("mismatches"), Count("bytes_sent"), Count("bytes_received"), Count("discarded_bytes"), Count("echoes"),
                    Count("link_failures"), Ms("last_round_trip_ms"), Ms("average_round_trip_ms"), Ms("max_round_trip_ms")));
            var writeKeys = (root["write_keys"] as JsonArray)?.Select(k => k?.GetValue<string>()).OfType<string>().ToList() ?? [];
            return (new RemotePackStatus(root["bridge"]?.GetValue<string>() ?? "", status, writeKeys, ParseTime(root["published_at"]) ?? DateTimeOffset.UtcNow), null);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or OverflowException)
        {
            return (null, ex.Message);
        }
    }

    private static string Name(BlockId id) => id.ToString().ToLowerInvariant();

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(JsonNode? node)
        => node?.GetValue<string>() is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
