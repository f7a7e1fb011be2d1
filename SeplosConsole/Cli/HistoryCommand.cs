using System.CommandLine;
using System.Globalization;
using SeplosConsole.Seplos;
using SeplosConsole.Services.History;
using SeplosConsole.Transport;

namespace SeplosConsole.Cli;

/// <summary>
/// <c>seplos history [--json | --csv] [--max N] [--since DATE] [-o FILE]</c>: downloads the pack's
/// own history, newest first, writing each record as it arrives. Ctrl+C stops after the record in
/// hand; what was written stays a valid file. Exit 0 when done, 1 when interrupted or failed,
/// 3 when records were skipped on the way (a repeated request; the pack keeps the cursor).
/// </summary>
public static class HistoryCommand
{
    private static readonly string[] DateForms = ["yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"];

    public static Command Create(CliContext context, GlobalOptions global)
    {
        var json = new Option<bool>("--json") { Description = "JSON Lines: one object per record (snake_case)" };
        var csv = new Option<bool>("--csv") { Description = "CSV with a header row" };
        var max = new Option<int?>("--max") { Description = "Download at most N records (the newest)" };
        var since = new Option<string?>("--since") { Description = "Stop at records older than DATE (pack clock), e.g. 2024-05-01 or \"2024-05-01 12:00\"" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the records to FILE (each one flushed as it arrives)" };
        var command = new Command("history", "Download the pack's history records (newest first) with their events") { json, csv, max, since, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(json) && parse.GetValue(csv))
            {
                throw new Config.UsageException("--json and --csv: choose one");
            }
            if (parse.GetValue(max) is <= 0)
            {
                throw new Config.UsageException("--max: give a number of records above 0");
            }
            DateTime? sinceDate = null;
            if (parse.GetValue(since) is { } typed)
            {
                if (!DateTime.TryParseExact(typed.Trim(), DateForms, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                {
                    throw new Config.UsageException($"--since: '{typed}' is not a date like 2024-05-01 or \"2024-05-01 12:00\"");
                }
                sinceDate = parsed;
            }
            var settings = global.Resolve(parse, context);
            if (settings.Listen)
            {
                throw new CliException("history asks the pack for each record, and listen mode never transmits: connect to the pack on a port of its own, without --listen");
            }
            var format = parse.GetValue(json) ? HistoryFormat.JsonLines : parse.GetValue(csv) ? HistoryFormat.Csv : HistoryFormat.Text;

            var session = await BusSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
            await using var sessionScope = session.ConfigureAwait(false);
            var options = new HistoryDownloadOptions { Max = parse.GetValue(max), Since = sinceDate };
            if (parse.GetValue(output) is not { } target)
            {
                return await DownloadAsync(context, session, settings, new HistoryOutput(context.Output, format), null, options, cancellationToken).ConfigureAwait(false);
            }
            var path = Path.GetFullPath(target, context.Directory);
            StreamWriter file;
            try
            {
                file = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot write {path}: {ex.Message}");
            }
            await using (file.ConfigureAwait(false))
            {
                return await DownloadAsync(context, session, settings, new HistoryOutput(file, format), path, options, cancellationToken).ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>Downloads into <paramref name="writer"/>, draws the progress, and says how it ended; returns the exit code.</summary>
    private static async Task<int> DownloadAsync(CliContext context, BusSession session, Config.SeplosSettings settings, HistoryOutput writer, string? path,
        HistoryDownloadOptions options, CancellationToken cancellationToken)
    {
        var download = new HistoryDownload(session.Client, settings.Address);
        var progress = new ProgressLine(context.Error, context.ErrorIsTerminal);
        download.Progress += (_, p) => progress.Draw(p.Downloaded, p.Total, p.RecordsPerSecond, "records");
        var interrupted = false;
        string? failure = null;
        try
        {
            await foreach (var record in download.ReadAsync(options, cancellationToken).ConfigureAwait(false))
            {
                // Not the caller's token: a record in hand is written whole, so a file cut by Ctrl+C stays valid.
                await writer.WriteAsync(record, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }
        catch (Exception ex) when (ex is Transport.BusException or PackRefusedException)
        {
            // The records so far are written and flushed; say how many, then why it stopped. A link lost
            // mid-download (a USB adapter pulled, a TCP gateway gone) ends the same way as a silent pack.
            failure = ex.Message;
        }
        await writer.FinishAsync(CancellationToken.None).ConfigureAwait(false);
        var rate = download.Downloaded / Math.Max(download.Elapsed.TotalSeconds, 1e-9);
        progress.Draw(download.Downloaded, download.Total, rate, "records", force: true);
        progress.Finish();

        var limit = HistoryWireLimit.RecordsPerSecond(SerialLineSettings.SeplosDefault with { BaudRate = settings.BaudRate });
        var where = path is null ? "" : $" to {path}";
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{download.Downloaded} record(s){where} in {download.Elapsed.TotalSeconds:0.0} s: {rate:0.0} records/s (wire limit at {settings.BaudRate} 8N1: {limit:0.0}/s, {rate / limit:P0})");
        if (interrupted || failure is not null)
        {
            await context.Error.WriteLineAsync(interrupted ? $"interrupted: kept {summary}" : $"error: {failure}; kept {summary}").ConfigureAwait(false);
            return SeplosCli.Failure;
        }
        var ending = download.End switch
        {
            HistoryEnd.Max => "; stopped at --max",
            HistoryEnd.Since => "; stopped at --since",
            _ => download.Downloaded == 0 ? "; the pack has no history records" : "",
        };
        await context.Error.WriteLineAsync(summary + ending).ConfigureAwait(false);
        if (download.Missed > 0)
        {
            await context.Error.WriteLineAsync($"warning: {download.Missed} record(s) skipped: a request was repeated after a lost reply and the pack moved on (records-remaining jumped)").ConfigureAwait(false);
            return SeplosCli.Partial;
        }
        return SeplosCli.Ok;
    }
}
