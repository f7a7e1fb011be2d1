using System.Globalization;
using SeplosConsole.Simulation;

namespace SeplosConsole.Cli;

/// <summary>
/// <c>seplos simulate --link PATH --replay FILE [--replace-byte 5C=0A]</c>: plays a capture on the
/// link in a loop (see <see cref="CaptureReplayHost"/>) until Ctrl+C, for <c>--listen</c>.
/// </summary>
public static class ReplayAction
{
    public static async Task<int> RunAsync(CliContext context, string file, string linkPath, string? replaceByte, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(file, context.Directory);
        if (Directory.Exists(path) || !File.Exists(path))
        {
            throw new CliException($"--replay: {path} is not a capture file");
        }
        string[] lines;
        try
        {
            lines = await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--replay: cannot read {path}: {ex.Message}");
        }
        var bursts = CaptureReplayHost.Load(lines, ParseReplace(replaceByte));
        if (bursts.Count == 0)
        {
            throw new CliException($"--replay: {path} holds no hex bytes (expected one burst per line, as `seplos decode --capture` reads)");
        }
        var host = new CaptureReplayHost(bursts);
        var link = Path.GetFullPath(linkPath, context.Directory);
        var playing = host.RunAsync(link, cancellationToken);
        try
        {
            await host.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new CliException($"cannot create {link}: {ex.Message}");
        }
        var timed = bursts.Any(b => b.Time is not null) ? "with the capture's timestamps" : "at line rate (the capture has no timestamps)";
        await context.Output.WriteLineAsync($"replaying {bursts.Count} burst(s), {bursts.Sum(b => b.Bytes.Length)} bytes of {Path.GetFileName(path)} in a loop {timed} on {link}; Ctrl+C to stop").ConfigureAwait(false);
        await context.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        await playing.ConfigureAwait(false);
        return SeplosCli.Ok;
    }

    /// <summary>"5C=0A": every 0x5C of the capture is sent as 0x0A.</summary>
    private static (byte From, byte To)? ParseReplace(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var parts = text.Split('=');
        if (parts.Length == 2
            && byte.TryParse(parts[0].Trim().Replace("0x", "", StringComparison.OrdinalIgnoreCase), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var from)
            && byte.TryParse(parts[1].Trim().Replace("0x", "", StringComparison.OrdinalIgnoreCase), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var to))
        {
            return (from, to);
        }
        throw new CliException($"--replace-byte: '{EchoedInput.Quote(text)}' is not FROM=TO in hex, e.g. 5C=0A");
    }
}
