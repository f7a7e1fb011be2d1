using System.Reflection;

namespace SeplosConsole.Hosting;

/// <summary>
/// What was built, from where and when: set by scripts/release.sh through the MSBuild properties
/// SeplosVersion, SeplosCommit and SeplosBuildDate (SeplosConsole.csproj turns them into
/// <see cref="AssemblyMetadataAttribute"/>s, which Native AOT keeps). A plain build or
/// <c>dotnet run</c> has none of them and says "dev". Immutable, so thread-safe.
/// </summary>
public sealed record BuildInfo(string Version, string? Commit, string? BuildDate)
{
    public const string DevVersion = "dev";

    /// <summary>This program's build.</summary>
    public static BuildInfo Current { get; } = FromMetadata(typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>());

    /// <summary>True for a build the release script made.</summary>
    public bool IsRelease => Version != DevVersion;

    public static BuildInfo FromMetadata(IEnumerable<AssemblyMetadataAttribute> metadata)
    {
        var values = metadata
            .Where(m => !string.IsNullOrWhiteSpace(m.Value))
            .GroupBy(m => m.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value!, StringComparer.Ordinal);
        return new BuildInfo(
            values.GetValueOrDefault("SeplosVersion") ?? DevVersion,
            values.GetValueOrDefault("SeplosCommit"),
            values.GetValueOrDefault("SeplosBuildDate"));
    }

    /// <summary>The line <c>seplos --version</c> prints, e.g. "seplos 1.0.0 (commit 0a1b2c3d4e5f, built 2026-12-01T14:00:00Z)".</summary>
    public override string ToString()
    {
        var details = new List<string>(2);
        if (Commit is not null)
        {
            details.Add($"commit {Commit}");
        }
        if (BuildDate is not null)
        {
            details.Add($"built {BuildDate}");
        }
        return details.Count == 0 ? $"seplos {Version}" : $"seplos {Version} ({string.Join(", ", details)})";
    }
}
