using Microsoft.Extensions.Configuration;
using SeplosConsole.Config;
using SeplosConsole.Services;
using SeplosConsole.Services.Recording;

namespace SeplosConsole.Cli;

/// <summary>
/// Starts recording a feed when asked: <c>--record FILE</c> (one file, appended to), else
/// <c>[record] path =</c> in seplos.ini (a file per day, finished days gzipped). A replay is
/// never recorded again.
/// </summary>
public static class RecordingSetup
{
    public static FeedRecorder? Start(SeplosSettings settings, IPackFeed feed, Action<BusEventLevel, string> log)
    {
        if (settings.ReplayFile is not null)
        {
            return null;
        }
        try
        {
            if (settings.RecordFile is { } file)
            {
                var directory = Path.GetDirectoryName(file);
                if (directory is { Length: > 0 } && !Directory.Exists(directory))
                {
                    throw new CliException($"--record: the folder {directory} does not exist");
                }
                return new FeedRecorder(feed, RecordingWriter.Append(file), log, $"recording to {file}");
            }
            if (settings.Configuration.GetSection("record")["path"]?.Trim() is { Length: > 0 } path)
            {
                return new FeedRecorder(feed, new DailyRecording(path, log, DateTimeOffset.Now), log, $"recording to {path} (a file per day)");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot record: {ex.Message}");
        }
        return null;
    }
}
