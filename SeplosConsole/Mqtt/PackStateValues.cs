using System.Globalization;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Mqtt;

/// <summary>One value on one state topic (<c>&lt;prefix&gt;/battery_&lt;addr&gt;/&lt;key&gt;</c>).</summary>
/// <param name="Number">The numeric value when the deadband applies, else null (text, flags).</param>
/// <param name="Deadband">Smallest change of <paramref name="Number"/> worth publishing; 0 = any change of the payload.</param>
internal readonly record struct StateValue(string Key, string Payload, double? Number, double Deadband);

/// <summary>
/// A value the bridge adds to what the map describes: the alarm list, the system state and the
/// bus counters of a pack. Not register fields, so they are not in <see cref="SeplosMap"/>.
/// Diagnostic ones describe the link, so they stay available (bridge availability only) while
/// the pack is offline: that is when they matter.
/// </summary>
internal sealed record BridgeSensor(
    string Key,
    string Name,
    Func<PackStatus, string?> Value,
    string? Unit = null,
    string? DeviceClass = null,
    string? StateClass = null,
    int? Precision = null,
    bool Diagnostic = true,
    double Deadband = 0,
    string? ValueTemplate = null)
{
    public bool IsLinkDiagnostic => Diagnostic;
}

/// <summary>Turns a pack's status into the state topics' payloads, generated from the map.</summary>
internal static class PackStateValues
{
    public const string On = "ON";
    public const string Off = "OFF";
    public const string NoAlarms = "none";

    public static IReadOnlyList<BridgeSensor> BridgeSensors { get; } =
    [
        // HA rejects a state longer than 255 characters; the topic keeps the whole list.
        new("alarms", "Active alarms", s => s.Snapshot.Has(BlockId.Pic) ? AlarmList(s.Snapshot) : null,
            Diagnostic: false, ValueTemplate: "{{ value[:255] }}"),
        new("system_state", "System state", s => s.Snapshot.Has(BlockId.Pic) ? SystemState(s.Snapshot) : null, Diagnostic: false),
        // What the pack did not give (a refused block …), so a gap is not read as a value; "none" when complete.
        new("missing", "Missing readings", s => s.Snapshot.Blocks.Count == 0 && !s.Snapshot.IsPartial ? null
            : s.Snapshot.IsPartial ? string.Join("; ", s.Snapshot.Missing) : "none", Diagnostic: false, ValueTemplate: "{{ value[:255] }}"),
        new("link_state", "Link state", s => s.State.ToString().ToLowerInvariant()),
        // Pack clock minus host local time when SCA was last read (issue 12); `seplos clock --set` corrects it.
        new("clock_drift", "Clock drift", s => PackClockReading.From(s.Snapshot)?.Drift(TimeZoneInfo.Local) is { } drift
            ? Math.Round(drift.TotalSeconds).ToString("F0", CultureInfo.InvariantCulture) : null,
            Unit: "s", DeviceClass: "duration", StateClass: "measurement", Precision: 0, Deadband: 2),
        new("bus_requests", "Bus requests", s => Count(s.Counters.Requests), StateClass: "total_increasing"),
        new("bus_replies", "Bus replies", s => Count(s.Counters.Replies), StateClass: "total_increasing"),
        new("bus_errors", "Bus errors", s => Count(s.Counters.Errors), StateClass: "total_increasing"),
        new("bus_timeouts", "Bus time-outs", s => Count(s.Counters.Timeouts), StateClass: "total_increasing"),
        new("bus_crc_errors", "Bus CRC errors", s => Count(s.Counters.CrcErrors), StateClass: "total_increasing"),
        new("bus_round_trip", "Bus round trip", s => s.Counters.Replies == 0 ? null : s.Counters.AverageRoundTrip.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture),
            Unit: "ms", DeviceClass: "duration", StateClass: "measurement", Precision: 1, Deadband: 1),
    ];

    /// <summary>Every state value of a pack, in map order; only what the snapshot holds.</summary>
    /// <param name="includePackValues">False while the pack is offline: only the link diagnostics then.</param>
    public static IEnumerable<StateValue> Collect(PackStatus status, MqttOptions options, bool includePackValues = true)
    {
        var snapshot = includePackValues ? status.Snapshot : PackSnapshot.Empty(status.Address);
        foreach (var field in SeplosMap.Fields)
        {
            if (!snapshot.Fields.TryGetValue(field.Key, out var reading))
            {
                continue;
            }
            if (reading.Text is { } text)
            {
                yield return new StateValue(field.Key, text, null, 0);
            }
            else if (reading.Value is { } read)
            {
                var value = OriginalToolTopics.Published(field.Key, read);
                yield return new StateValue(field.Key, field.Format(value), value, options.DeadbandFor(field));
                if (OriginalToolTopics.LegacyStateKeys.TryGetValue(field.Key, out var legacyKey))
                {
                    yield return new StateValue(legacyKey, field.Format(value), value, options.DeadbandFor(field));
                }
            }
        }
        foreach (var flag in SeplosMap.Flags)
        {
            if (snapshot.Flags.TryGetValue(flag.Key, out var on))
            {
                yield return new StateValue(flag.Key, on ? On : Off, null, 0);
            }
        }
        foreach (var sensor in BridgeSensors)
        {
            if ((includePackValues || sensor.IsLinkDiagnostic) && sensor.Value(status) is { } payload)
            {
                var number = sensor.Deadband > 0 && double.TryParse(payload, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : (double?)null;
                yield return new StateValue(sensor.Key, payload, number, sensor.Deadband);
            }
        }
    }

    /// <summary>Names of the active alarms, protections and faults, comma separated; "none" when clear.</summary>
    public static string AlarmList(PackSnapshot snapshot)
    {
        var names = snapshot.ActiveProblems.Select(f => f.Name).ToList();
        return names.Count == 0 ? NoAlarms : string.Join(", ", names);
    }

    /// <summary>charging, discharging, standby … from the TB09 bits; several can be set at once.</summary>
    public static string SystemState(PackSnapshot snapshot)
    {
        var active = SeplosMap.SystemStateFlags.Where(f => snapshot.Flag(f.Key) == true).Select(f => f.Name.ToLowerInvariant()).ToList();
        return active.Count == 0 ? "idle" : string.Join(", ", active);
    }

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);
}
