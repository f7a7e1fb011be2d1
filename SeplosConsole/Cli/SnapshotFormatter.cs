using System.Text.Encodings.Web;
using System.Text.Json;
using SeplosConsole.Seplos;

namespace SeplosConsole.Cli;

/// <summary>Prints snapshots as <c>key value unit</c> lines (as the original tool did) or as JSON.</summary>
public static class SnapshotFormatter
{
    public static JsonWriterOptions JsonOptions { get; } = new()
    {
        Indented = true,
        // Keep °, µ and Ω readable (System.Text.Json escapes them by default).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One line: <c>key value unit</c>, with a marker on values the sources disagree on.</summary>
    public static string Line(FieldReading reading)
    {
        var line = $"{reading.Field.Key} {reading.DisplayWithUnit}";
        return reading.Field.Uncertain ? line + "  (unconfirmed)" : line;
    }

    public static string Line(FlagDefinition flag, bool on)
        => $"{flag.Key} {(on ? "on" : "off")}" + (flag.Uncertain ? "  (unconfirmed)" : "");

    private static readonly (FieldCategory Category, string Title)[] Sections =
    [
        (FieldCategory.Reading, "Readings"),
        (FieldCategory.Parameter, "Parameters"),
        (FieldCategory.Identity, "Identity"),
        (FieldCategory.Inverter, "Inverter"),
        (FieldCategory.System, "System (master pack)"),
        (FieldCategory.Diagnostic, "Diagnostics (unconfirmed layout, raw values)"),
    ];

    public static void WriteText(PackSnapshot snapshot, TextWriter output)
    {
        foreach (var (category, title) in Sections)
        {
            var readings = SeplosMap.Fields
                .Where(f => f.Category == category && snapshot.Fields.ContainsKey(f.Key))
                .Select(f => snapshot.Fields[f.Key])
                .ToList();
            if (readings.Count == 0)
            {
                continue;
            }
            output.WriteLine($"# {title}");
            foreach (var reading in readings)
            {
                output.WriteLine(Line(reading));
            }
            if (category == FieldCategory.Reading)
            {
                WriteFlags(snapshot, BlockId.Pic, output);
            }
            if (category == FieldCategory.System)
            {
                WriteFlags(snapshot, BlockId.Eic, output);
            }
            if (category == FieldCategory.Parameter)
            {
                WriteSwitches(snapshot, output);
            }
        }
        if (snapshot.UnknownBits.Count > 0)
        {
            output.WriteLine("# Unknown bits set (not in the map; diagnostics)");
            foreach (var bit in snapshot.UnknownBits)
            {
                output.WriteLine($"unknown_bit {bit}");
            }
        }
        // Last and always: a gap is named whether or not the pack answered SFA (most do not).
        WriteMissing(snapshot, output);
    }

    /// <summary>SFA: which functions are enabled. Settings, so no "active alarms" line.</summary>
    private static void WriteSwitches(PackSnapshot snapshot, TextWriter output)
    {
        var switches = SeplosMap.FlagsOf(BlockId.Sfa).Where(f => snapshot.Flags.ContainsKey(f.Key)).ToList();
        if (switches.Count == 0)
        {
            return;
        }
        output.WriteLine("# Switches (SFA: functions enabled, settings, not alarms)");
        foreach (var flag in switches)
        {
            output.WriteLine(Line(flag, snapshot.Flags[flag.Key]));
        }
    }

    /// <summary>
    /// "# Missing" and "# Not fitted" sections: what this reading lacks and why, so a gap is never
    /// taken for a value. Nothing for a complete reading of a pack with every sensor.
    /// </summary>
    public static void WriteMissing(PackSnapshot snapshot, TextWriter output)
    {
        if (snapshot.IsPartial)
        {
            output.WriteLine("# Missing (not read)");
            foreach (var missing in snapshot.Missing)
            {
                output.WriteLine(missing.ToString());
            }
        }
        var notFitted = snapshot.NotFitted.ToList();
        if (notFitted.Count > 0)
        {
            output.WriteLine($"# Not fitted: {string.Join(", ", notFitted.Select(f => f.Key))}");
        }
    }

    /// <summary>Why a key of the map has no value in the snapshot.</summary>
    public static string WhyAbsent(PackSnapshot snapshot, string key)
    {
        if ((SeplosMap.FindField(key)?.FittedWhen ?? SeplosMap.FindFlag(key)?.FittedWhen) is { } presence && snapshot.Value(presence.CountKey) is { } count && !presence.IsFitted(count))
        {
            return $"not fitted ({presence.CountKey} = {count:0})";
        }
        return snapshot.Missing.FirstOrDefault(m => m.Keys.Contains(key, StringComparer.Ordinal)) is { } missing
            ? $"not read: {missing}"
            : "not read";
    }

    private static void WriteFlags(PackSnapshot snapshot, BlockId block, TextWriter output)
    {
        var flags = SeplosMap.FlagsOf(block).Where(f => snapshot.Flags.ContainsKey(f.Key)).ToList();
        if (flags.Count == 0)
        {
            return;
        }
        var active = flags.Where(f => f.IsProblem && snapshot.Flags[f.Key]).Select(f => f.Key).ToList();
        output.WriteLine($"# Flags ({SeplosMap.Block(block).Name}); active alarms: {(active.Count == 0 ? "none" : string.Join(", ", active))}");
        foreach (var flag in flags)
        {
            output.WriteLine(Line(flag, snapshot.Flags[flag.Key]));
        }
    }

    /// <param name="origin">For a reading from a broker: which bridge, how old (at <paramref name="now"/>), stale or not.</param>
    public static void WriteJson(PackSnapshot snapshot, string port, Stream stream, RemoteOrigin? origin = null, DateTimeOffset? now = null)
    {
        using var json = new Utf8JsonWriter(stream, JsonOptions);
        json.WriteStartObject();
        json.WriteNumber("address", snapshot.Address);
        json.WriteString("port", port);
        if (snapshot.UpdatedAt is { } at)
        {
            json.WriteString("read_at", at.ToString("O"));
        }
        if (origin is not null)
        {
            WriteOrigin(json, origin, now ?? DateTimeOffset.UtcNow);
        }
        foreach (var (category, _) in Sections)
        {
            var fields = SeplosMap.Fields.Where(f => f.Category == category && snapshot.Fields.ContainsKey(f.Key)).ToList();
            if (fields.Count == 0)
            {
                continue;
            }
            json.WriteStartObject(JsonNaming(category));
            foreach (var field in fields)
            {
                WriteField(json, snapshot.Fields[field.Key]);
            }
            json.WriteEndObject();
        }
        foreach (var block in new[] { BlockId.Pic, BlockId.Eic })
        {
            var flags = SeplosMap.FlagsOf(block).Where(f => snapshot.Flags.ContainsKey(f.Key)).ToList();
            if (flags.Count == 0)
            {
                continue;
            }
            json.WriteStartObject(block == BlockId.Pic ? "flags" : "system_flags");
            foreach (var flag in flags)
            {
                json.WriteBoolean(flag.Key, snapshot.Flags[flag.Key]);
            }
            json.WriteEndObject();
            json.WriteStartArray(block == BlockId.Pic ? "active_alarms" : "system_active_alarms");
            foreach (var flag in flags.Where(f => f.IsProblem && snapshot.Flags[f.Key]))
            {
                json.WriteStringValue(flag.Key);
            }
            json.WriteEndArray();
        }
        var switches = SeplosMap.FlagsOf(BlockId.Sfa).Where(f => snapshot.Flags.ContainsKey(f.Key)).ToList();
        if (switches.Count > 0)
        {
            json.WriteStartObject("switches");
            foreach (var flag in switches)
            {
                json.WriteBoolean(flag.Key, snapshot.Flags[flag.Key]);
            }
            json.WriteEndObject();
        }
        WriteUnknownBits(json, snapshot);
        var uncertain = SeplosMap.Flags.Where(f => f.Uncertain && snapshot.Flags.ContainsKey(f.Key)).Select(f => f.Key)
            .Concat(SeplosMap.Fields.Where(f => f.Uncertain && snapshot.Fields.ContainsKey(f.Key)).Select(f => f.Key)).ToList();
        json.WriteStartArray("unconfirmed");
        foreach (var key in uncertain)
        {
            json.WriteStringValue(key);
        }
        json.WriteEndArray();
        // Always present, empty when complete, so a script can test it without guessing.
        json.WriteStartArray("missing");
        foreach (var missing in snapshot.Missing)
        {
            json.WriteStartObject();
            json.WriteString("block", missing.BlockName);
            json.WriteString("reason", missing.Reason);
            if (!missing.WholeBlock)
            {
                json.WriteStartArray("keys");
                foreach (var key in missing.Keys)
                {
                    json.WriteStringValue(key);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("not_fitted");
        foreach (var key in snapshot.NotFitted.Select(f => f.Key).Concat(snapshot.NotFittedFlags.Select(f => f.Key)))
        {
            json.WriteStringValue(key);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary><c>"bridge": "garage", "bridge_address": 0, "age_seconds": 0.412, "stale": false</c> (and <c>"stale_reason"</c> when stale).</summary>
    public static void WriteOrigin(Utf8JsonWriter json, RemoteOrigin origin, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(origin);
        json.WriteString("bridge", origin.Bridge);
        json.WriteNumber("bridge_address", origin.BridgeAddress);
        if (origin.AgeAt(now) is { } age)
        {
            json.WriteNumber("age_seconds", Math.Round(age.TotalSeconds, 3));
        }
        json.WriteBoolean("stale", origin.Stale);
        if (origin.Reason is { } reason)
        {
            json.WriteString("stale_reason", reason);
        }
    }

    /// <summary><c>"unknown_bits": [{"block": "SFA", "coil": 5161, "byte": 5, "bit": 1}, …]</c>: set bits the map does not name.</summary>
    public static void WriteUnknownBits(Utf8JsonWriter json, PackSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(snapshot);
        json.WriteStartArray("unknown_bits");
        foreach (var bit in snapshot.UnknownBits)
        {
            json.WriteStartObject();
            json.WriteString("block", bit.Block);
            json.WriteNumber("coil", bit.Coil);
            json.WriteNumber("byte", bit.Byte);
            json.WriteNumber("bit", bit.Bit);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteField(Utf8JsonWriter json, FieldReading reading)
    {
        var field = reading.Field;
        json.WriteStartObject(field.Key);
        if (reading.Text is not null)
        {
            json.WriteString("value", reading.Text);
        }
        else if (reading.Value is { } value)
        {
            json.WriteNumber("value", value);
            if (field.Type != RegisterType.Derived)
            {
                json.WriteNumber("raw", reading.Raw);
            }
        }
        if (field.Unit.Length > 0)
        {
            json.WriteString("unit", field.Unit);
        }
        if (field.Category == FieldCategory.Parameter)
        {
            json.WriteNumber("register", field.Address);
            json.WriteBoolean("writable", field.Writable);
            if (field.Min is { } min && field.Max is { } max)
            {
                json.WriteNumber("min", min);
                json.WriteNumber("max", max);
            }
        }
        if (field.Uncertain)
        {
            json.WriteBoolean("unconfirmed", true);
            if (field.Note is not null)
            {
                json.WriteString("note", field.Note);
            }
        }
        json.WriteEndObject();
    }

    private static string JsonNaming(FieldCategory category) => category switch
    {
        FieldCategory.Reading => "readings",
        FieldCategory.Parameter => "parameters",
        FieldCategory.Identity => "identity",
        FieldCategory.Inverter => "inverter",
        FieldCategory.System => "system",
        _ => "diagnostics",
    };
}
