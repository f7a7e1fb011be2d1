using SeplosConsole.Seplos;

namespace SeplosConsole.Config;

/// <summary>
/// seplos.ini as the original tool wrote it: <c>[section]</c> lines, <c>key = value</c> lines,
/// comments starting with ; # or /, values optionally in double quotes. Read here rather than by
/// the configuration library's INI provider so that a broken line is reported with its number in
/// one line (the provider threw InvalidDataException with a stack trace, issue 10), and so that
/// unknown sections and keys can be warned about with the nearest known name.
/// </summary>
public static class IniText
{
    /// <summary>
    /// The file's settings as configuration keys ("seplos:serial" → value). Unknown sections and
    /// keys are kept (a reader may still want them) and described in <paramref name="warnings"/>.
    /// </summary>
    /// <exception cref="ConfigurationException">A line is neither a section nor key = value, or a key is given twice.</exception>
    public static Dictionary<string, string?> Read(string text, string path, List<string> warnings)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var section = "";
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is ';' or '#' or '/')
            {
                continue;
            }
            var where = $"{path} line {lineNumber}";
            if (line[0] == '[')
            {
                if (line[^1] != ']' || line.Length < 3)
                {
                    throw new ConfigurationException($"{where}: '{InputEcho.Shorten(line)}' is not a [section] header (a name in square brackets)");
                }
                section = line[1..^1].Trim();
                if (KnownSettings.Keys(section) is null)
                {
                    warnings.Add($"{where}: unknown section [{InputEcho.Shorten(section)}]{Hint(section, KnownSettings.Sections, "[{0}]")}; its settings are ignored");
                }
                continue;
            }
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ConfigurationException($"{where}: '{InputEcho.Shorten(line)}' is not key = value");
            }
            var key = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (value.Length > 1 && value[0] == '"' && value[^1] == '"')
            {
                value = value[1..^1];
            }
            var name = section.Length == 0 ? key : $"{section}:{key}";
            if (!data.TryAdd(name, value))
            {
                throw new ConfigurationException($"{where}: {InputEcho.Shorten(key)} is set twice{(section.Length == 0 ? "" : $" in [{InputEcho.Shorten(section)}]")}; keep one");
            }
            if (section.Length == 0)
            {
                warnings.Add($"{where}: {InputEcho.Shorten(key)} is outside any section (settings go under [seplos] or [mqtt]); ignored");
            }
            else if (KnownSettings.Keys(section) is { } known && !known.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                warnings.Add($"{where}: unknown key '{InputEcho.Shorten(key)}' in [{section}]{Hint(key, known, "'{0}'")}; ignored");
            }
        }
        return data;
    }

    private static string Hint(string typed, IEnumerable<string> known, string format)
        => NameSuggestions.Closest(typed, known, 1) is [var nearest] ? $" (did you mean {string.Format(System.Globalization.CultureInfo.InvariantCulture, format, nearest)}?)" : "";
}

/// <summary>
/// Every section and key a seplos.ini may hold, for the warning about a typo. The readers are
/// <see cref="SeplosSettings.FromConfiguration"/> ([seplos]) and Mqtt/MqttSettings ([mqtt]):
/// a key added there belongs here too (a test reads a file with every key and expects no warning).
/// </summary>
public static class KnownSettings
{
    private static readonly Dictionary<string, string[]> BySection = new(StringComparer.OrdinalIgnoreCase)
    {
        ["seplos"] = ["serial", "port", "address", "addresses", "baud", "timeout_ms", "retries", "interval_ms", "system", "listen", "journal"],
        ["mqtt"] = ["server", "port", "user", "pass", "password", "tls", "client_id", "prefix", "discovery_prefix", "republish_minutes",
            "allow_writes", "write_allow_list", "expire_after_seconds", "deadbands", "ca_file", "cert_file", "key_file"],
        ["metrics"] = ["listen"],
    };

    public static IEnumerable<string> Sections => BySection.Keys;

    /// <summary>The keys of <paramref name="section"/>, or null for a section nobody reads.</summary>
    public static IReadOnlyList<string>? Keys(string section) => BySection.GetValueOrDefault(section);
}
