namespace SeplosConsole.Tests.Support;

/// <summary>
/// A systemd unit file read as systemd.syntax(7) says: [Section] headers, Key=Value lines, '#' and
/// ';' comments. Enough to take ExecStart and friends from the packaged unit; systemd-analyze verify
/// (in .ci/run) checks the rest.
/// </summary>
public sealed class UnitFile
{
    private readonly Dictionary<string, Dictionary<string, List<string>>> _sections = new(StringComparer.Ordinal);

    public static UnitFile Parse(string text)
    {
        var unit = new UnitFile();
        Dictionary<string, List<string>>? section = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }
            if (line[0] == '[' && line[^1] == ']')
            {
                section = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                unit._sections[line[1..^1]] = section;
                continue;
            }
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (section is null || equals <= 0)
            {
                throw new FormatException($"not a unit file line: {line}");
            }
            var key = line[..equals].Trim();
            if (!section.TryGetValue(key, out var values))
            {
                section[key] = values = [];
            }
            values.Add(line[(equals + 1)..].Trim());
        }
        return unit;
    }

    /// <summary>The last value of <paramref name="key"/> in <paramref name="section"/> (later lines override), or null.</summary>
    public string? this[string section, string key]
        => _sections.TryGetValue(section, out var keys) && keys.TryGetValue(key, out var values) ? values[^1] : null;

    public IReadOnlyList<string> All(string section, string key)
        => _sections.TryGetValue(section, out var keys) && keys.TryGetValue(key, out var values) ? values : [];
}
