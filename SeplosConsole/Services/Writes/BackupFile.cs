using System.Text.Json;
using System.Text.Json.Nodes;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Writes;

/// <summary>One parameter of a backup: the raw register (what is restored) and the value it claims to be.</summary>
public sealed record BackupParameter(FieldDefinition Field, long Raw);

/// <summary>
/// A file made by <c>seplos backup</c> (format <see cref="Format"/>): the pack's identity and every
/// SPA parameter with raw and scaled value. <see cref="Parse"/> checks the whole file before a
/// restore uses any of it: a file it accepts holds only well-formed numbers whose value and raw
/// register agree; anything else is a <see cref="BackupFileException"/> naming the first problem.
/// </summary>
public sealed class BackupFile
{
    public const string Format = "seplos-backup/1";

    private BackupFile(IReadOnlyDictionary<string, string> identity, IReadOnlyList<BackupParameter> parameters, IReadOnlyList<string> unknownKeys)
    {
        Identity = identity;
        Parameters = parameters;
        UnknownKeys = unknownKeys;
    }

    /// <summary>Identity fields (device_name, bms_serial, …) that the file names.</summary>
    public IReadOnlyDictionary<string, string> Identity { get; }

    /// <summary>The map's SPA parameters found in the file, in the file's order.</summary>
    public IReadOnlyList<BackupParameter> Parameters { get; }

    /// <summary>Parameter keys the register map does not know (a newer or edited file); never restored.</summary>
    public IReadOnlyList<string> UnknownKeys { get; }

    /// <summary>The JSON of a backup of <paramref name="snapshot"/> (VIA and SPA read).</summary>
    public static JsonObject Create(PackSnapshot snapshot, string port, byte address, DateTimeOffset created) => new()
    {
        ["format"] = Format,
        ["created"] = created.ToString("O"),
        ["port"] = port,
        ["address"] = address,
        ["identity"] = new JsonObject(SeplosMap.Fields.Where(f => f.Category == FieldCategory.Identity)
            .Select(f => KeyValuePair.Create(f.Key, (JsonNode?)snapshot.Text(f.Key)))),
        ["parameters"] = new JsonObject(SeplosMap.FieldsOf(BlockId.Spa).Select(f => KeyValuePair.Create(f.Key, (JsonNode?)ParameterJson(snapshot.Fields[f.Key])))),
    };

    /// <summary>Reads a backup's text; <paramref name="name"/> (the path) starts every error message.</summary>
    /// <exception cref="BackupFileException">The text is not a valid backup; the message says where and why.</exception>
    public static BackupFile Parse(string json, string name)
    {
        JsonDocument document;
        try
        {
            // Duplicate keys are an error, not "the last one wins": a hand-edited file with two
            // values for one threshold is ambiguous, and a restore must not guess which was meant.
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            throw new BackupFileException($"{name} is not valid JSON: {ex.Message}");
        }
        using (document)
        {
            return Read(document.RootElement, name);
        }
    }

    private static BackupFile Read(JsonElement root, string name)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != Format
            || !root.TryGetProperty("parameters", out var parameters) || parameters.ValueKind != JsonValueKind.Object)
        {
            throw new BackupFileException($"{name} is not a backup made by `seplos backup` (format {Format})");
        }

        var identity = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("identity", out var identityElement) && identityElement.ValueKind != JsonValueKind.Null)
        {
            if (identityElement.ValueKind != JsonValueKind.Object)
            {
                throw new BackupFileException($"{name}: \"identity\" is not an object");
            }
            foreach (var property in identityElement.EnumerateObject())
            {
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.String:
                        identity[property.Name] = property.Value.GetString()!;
                        break;
                    case JsonValueKind.Null:
                        break;
                    default:
                        throw new BackupFileException($"{name}: identity {Quote(property.Name)} is {Kind(property.Value)}, not text");
                }
            }
        }

        var read = new List<BackupParameter>();
        var unknown = new List<string>();
        foreach (var property in parameters.EnumerateObject())
        {
            if (SeplosMap.FindField(property.Name) is not { Block: BlockId.Spa } field)
            {
                unknown.Add(InputEcho.Shorten(property.Name));
                continue;
            }
            if (read.Any(p => p.Field == field))
            {
                throw new BackupFileException($"{name}: {field.Key} is in the file twice (once by another name)");
            }
            read.Add(ReadParameter(field, property.Value, name));
        }
        return new BackupFile(identity, read, unknown);
    }

    private static BackupParameter ReadParameter(FieldDefinition field, JsonElement element, string name)
    {
        var where = $"{name}: {field.Key}";
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new BackupFileException($"{where} is {Kind(element)}, not an object with \"raw\" and \"value\"");
        }
        if (!element.TryGetProperty("raw", out var rawElement) || rawElement.ValueKind != JsonValueKind.Number)
        {
            throw new BackupFileException($"{where} has no numeric \"raw\" register value");
        }
        if (!rawElement.TryGetInt64(out var raw) || field.ToRaw(field.ToValue(raw)) != raw)
        {
            throw new BackupFileException($"{where}: raw {InputEcho.Shorten(rawElement.GetRawText())} is not a whole number that fits register 0x{field.Address:X4}");
        }
        if (element.TryGetProperty("value", out var valueElement) && valueElement.ValueKind != JsonValueKind.Null)
        {
            // The value is what a person reads and may have edited; the raw is what is restored.
            // When they disagree nobody knows which was meant, so the file is not used at all.
            if (valueElement.ValueKind != JsonValueKind.Number || !valueElement.TryGetDouble(out var value) || !double.IsFinite(value))
            {
                throw new BackupFileException($"{where}: value {InputEcho.Shorten(valueElement.GetRawText())} is not a number");
            }
            if (Math.Abs(value - field.ToValue(raw)) > field.Scale / 2)
            {
                throw new BackupFileException($"{where}: value {InputEcho.Shorten(valueElement.GetRawText())} disagrees with raw {raw} (= {SpaValues.Describe(field, raw)}); "
                    + "fix one of them or make a new backup");
            }
        }
        return new BackupParameter(field, raw);
    }

    private static JsonObject ParameterJson(FieldReading reading)
    {
        var field = reading.Field;
        var json = new JsonObject
        {
            ["register"] = $"0x{field.Address:X4}",
            ["raw"] = reading.Raw,
            ["value"] = reading.Value,
            ["unit"] = field.Unit,
            ["writable"] = field.Writable,
        };
        if (field.Uncertain)
        {
            json["unconfirmed"] = true;
        }
        return json;
    }

    private static string Quote(string key) => $"\"{InputEcho.Shorten(key)}\"";

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "text",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        _ => "null",
    };
}

/// <summary>A backup file that cannot be used; the message names the file and the first problem.</summary>
public sealed class BackupFileException(string message) : Exception(message);
