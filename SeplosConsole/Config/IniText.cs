using System.Text;
using Microsoft.Extensions.Configuration;
using SeplosConsole.Seplos;

namespace SeplosConsole.Config;

/// <summary>
/// seplos.ini as the original tool wrote it: <c>[section]</c> lines, <c>key = value</c> lines,
/// comments starting with ; # or /, values optionally in double quotes. The values are loaded by
/// the configuration library's INI provider; this class first checks the text line by line,
/// because the provider names neither the file nor the line of a broken line or a repeated key
/// (it threw a FormatException that reached the user as a stack trace, issue 10), and because
/// unknown sections and keys deserve a warning with the nearest known name and the line.
/// </summary>
public static class IniText
{
    /// <summary>
    /// The file's settings as configuration keys ("seplos:serial" → value). Unknown sections and
    /// keys are kept (a reader may still want them) and described in <paramref name="warnings"/>.
    /// </summary>
    /// <exception cref="ConfigurationException">A line is neither a section nor key = value, or a key is given twice.</exception>
    public static IEnumerable<KeyValuePair<string, string?>> Read(string text, string path, List<string> warnings)
    {
        Check(text, path, warnings);
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
            return new ConfigurationBuilder().AddIniStream(stream).Build().AsEnumerable()
                .Where(pair => pair.Value is not null)
                .ToList();
        }
        catch (FormatException ex)
        {
            // Check rejects everything the provider rejects; reaching here means the two disagree.
            throw new ConfigurationException($"{path}: not a settings file the INI reader accepts ({InputEcho.Shorten(ex.Message)})");
        }
    }

    /// <summary>Rejects what the INI provider would reject, naming the line; warns about unknown names.</summary>
    private static void Check(string text, string path, List<string> warnings)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var section = "";
        var lineNumber = 0;
        // The provider reads with StreamReader.ReadLine: \r\n, \n and \r end a line, nothing else.
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n', '\r'))
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
            if (!seen.Add(section.Length == 0 ? key : $"{section}:{key}"))
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
    }

    private static string Hint(string typed, IEnumerable<string> known, string format)
        => NameSuggestions.Closest(typed, known, 1) is [var nearest] ? $" (did you mean {string.Format(System.Globalization.CultureInfo.InvariantCulture, format, nearest)}?)" : "";
}

/// <summary>
/// Every section and key a seplos.ini may hold, for the warning about a typo. The readers are
/// <see cref="SeplosSettings.FromConfiguration"/> ([seplos]), Mqtt/MqttSettings ([mqtt]) and Cli/RecordingSetup ([record]):
/// a key added there belongs here too (a test reads a file with every key and expects no warning).
/// </summary>
public static class KnownSettings
{
    private static readonly Dictionary<string, string[]> BySection = new(StringComparer.OrdinalIgnoreCase)
    {
        ["seplos"] = ["serial", "port", "address", "addresses", "baud", "timeout_ms", "retries", "interval_ms", "system", "listen", "journal"],
        ["mqtt"] = ["server", "port", "user", "pass", "password", "tls", "client_id", "prefix", "discovery_prefix", "republish_minutes",
            "allow_writes", "write_allow_list", "expire_after_seconds", "deadbands", "ca_file", "cert_file", "key_file"],
        // Read by Cli/RecordingSetup.
        ["record"] = ["path"],
        ["metrics"] = ["listen", "otlp_endpoint", "otlp_interval_seconds"],
    };

    public static IEnumerable<string> Sections => BySection.Keys;

    /// <summary>The keys of <paramref name="section"/>, or null for a section nobody reads.</summary>
    public static IReadOnlyList<string>? Keys(string section) => BySection.GetValueOrDefault(section);
}
