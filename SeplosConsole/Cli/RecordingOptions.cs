using SeplosConsole.Config;

namespace SeplosConsole.Cli;

/// <summary>--record, --replay and --speed checked and put into the settings.</summary>
public static class RecordingOptions
{
    public const double MaxSpeed = 1_000_000;

    public static SeplosSettings Apply(SeplosSettings settings, string? record, string? replay, double? speed, string directory)
    {
        if (speed is { } n && (double.IsNaN(n) || n <= 0 || n > MaxSpeed))
        {
            throw new UsageException($"--speed {n}: expected a number above 0 and at most {MaxSpeed:0}");
        }
        if (speed is not null && replay is null)
        {
            throw new UsageException("--speed only applies to --replay FILE");
        }
        if (replay is not null)
        {
            if (record is not null)
            {
                throw new UsageException("--record and --replay together would copy a recording; copy the file instead");
            }
            var full = Path.GetFullPath(replay, directory);
            if (!File.Exists(full))
            {
                throw new CliException($"--replay: {full} does not exist");
            }
            settings = settings with { ReplayFile = full, ReplaySpeed = speed ?? 1 };
        }
        if (record is { Length: > 0 })
        {
            settings = settings with { RecordFile = Path.GetFullPath(record, directory) };
        }
        return settings;
    }
}
