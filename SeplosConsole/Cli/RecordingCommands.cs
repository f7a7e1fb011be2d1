using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Recording;

namespace SeplosConsole.Cli;

/// <summary><c>seplos report FILE</c> and <c>seplos export FILE --csv</c>: a recording summarised, or as a table.</summary>
public static class RecordingCommands
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Report(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "A recording (--record or [record] path; .gz too)" };
        var json = new Option<bool>("--json") { Description = "One JSON object instead of text" };
        var command = new Command("report", "Summarise a recording: time span, energy in and out, extremes with their time, balancing, alarms") { file, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = Existing(parse.GetValue(file)!, context);
            var reader = new RecordingReader();
            var builders = new SortedDictionary<byte, PackReportBuilder>();
            await foreach (var (update, snapshot) in ReadAsync(path, reader, cancellationToken).ConfigureAwait(false))
            {
                if (!builders.TryGetValue(update.Address, out var builder))
                {
                    builders[update.Address] = builder = new PackReportBuilder(update.Address);
                }
                builder.Add(snapshot, update.Blocks);
            }
            if (builders.Count == 0)
            {
                throw new CliException($"{path} holds no readings" + (reader.FirstProblem is { } problem ? $" ({problem})" : ""));
            }
            var reports = builders.Values.Select(b => b.Build()).ToList();
            if (parse.GetValue(json))
            {
                await context.Output.WriteLineAsync(ReportJson(path, reports, reader).ToJsonString(Json)).ConfigureAwait(false);
            }
            else
            {
                await context.Output.WriteAsync(ReportText(path, reports, reader)).ConfigureAwait(false);
            }
            return SeplosCli.Ok;
        });
        return command;
    }

    public static Command Export(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "A recording (--record or [record] path; .gz too)" };
        var csv = new Option<bool>("--csv") { Description = "Comma-separated values, one row per update of a pack, one column per reading" };
        var command = new Command("export", "Write a recording as a table for a spreadsheet") { file, csv };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!parse.GetValue(csv))
            {
                throw new CliException("export needs a format: --csv");
            }
            var path = Existing(parse.GetValue(file)!, context);
            var reader = new RecordingReader();
            var columns = SeplosMap.Fields.Where(f => f.Category == FieldCategory.Reading && f.IsNumeric).ToList();
            var line = new StringBuilder();
            line.Append("time,address,").AppendJoin(',', columns.Select(c => c.Key)).Append(",problems");
            await context.Output.WriteLineAsync(line.ToString()).ConfigureAwait(false);
            var rows = 0;
            await foreach (var (update, snapshot) in ReadAsync(path, reader, cancellationToken).ConfigureAwait(false))
            {
                // Rows for live readings only: an update that read only parameters adds no reading.
                if (!update.Blocks.Any(b => b.Block is BlockId.Pia or BlockId.Pib or BlockId.Pic))
                {
                    continue;
                }
                line.Clear();
                line.Append(update.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(',').Append(update.Address);
                foreach (var column in columns)
                {
                    line.Append(',');
                    if (snapshot.Fields.TryGetValue(column.Key, out var reading) && reading.Value is { } value)
                    {
                        line.Append(column.Format(value));
                    }
                }
                // Keys only (no commas in them): the cell is one field without quoting.
                line.Append(',').AppendJoin(' ', snapshot.ActiveProblems.Select(f => f.Key));
                await context.Output.WriteLineAsync(line.ToString()).ConfigureAwait(false);
                rows++;
            }
            if (reader.SkippedLines > 0)
            {
                await context.Error.WriteLineAsync($"note: {reader.SkippedLines} line(s) of the recording skipped ({reader.FirstProblem})").ConfigureAwait(false);
            }
            return rows == 0 ? throw new CliException($"{path} holds no readings") : SeplosCli.Ok;
        });
        return command;
    }

    private static string Existing(string file, CliContext context)
    {
        var path = Path.GetFullPath(file, context.Directory);
        return File.Exists(path) ? path : throw new CliException($"{path} does not exist");
    }

    private static async IAsyncEnumerable<(RecordedUpdate Update, PackSnapshot Snapshot)> ReadAsync(string path, RecordingReader reader, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            stream = RecordingReader.OpenFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: {ex.Message}");
        }
        await using var streamScope = stream.ConfigureAwait(false);
        await foreach (var item in RecordedSnapshots.ReadAsync(stream, reader, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    private static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Span(TimeSpan span) => span.TotalHours >= 1
        ? $"{(int)span.TotalHours} h {span.Minutes:00} min"
        : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds:00} s" : $"{span.TotalSeconds:0} s";

    private static string N(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    private static string ReportText(string path, IReadOnlyList<PackReport> reports, RecordingReader reader)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"recording {path}");
        if (reader.SkippedLines > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"skipped {reader.SkippedLines} line(s): {reader.FirstProblem}");
        }
        foreach (var r in reports)
        {
            text.AppendLine();
            var gaps = r.Gaps > 0 ? $", {r.Gaps} gap(s) of {Span(r.GapTime)} without readings, not counted)" : ")";
            text.AppendLine(CultureInfo.InvariantCulture, $"pack {r.Address}: {Time(r.From)} → {Time(r.To)} ({Span(r.To - r.From)}, {r.Updates} updates{gaps}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  charged     {N(r.ChargedAh, 2),9} Ah  {N(r.ChargedKwh, 3),8} kWh");
            text.AppendLine(CultureInfo.InvariantCulture, $"  discharged  {N(r.DischargedAh, 2),9} Ah  {N(r.DischargedKwh, 3),8} kWh");
            if (r.LargestSpread is { } spread)
            {
                text.Append("  largest cell spread ").Append(spread.Field.Format(spread.Max)).Append(' ').Append(spread.Field.Unit).Append(" at ").AppendLine(Time(spread.MaxAt));
            }
            text.AppendLine("  reading                     min            at                    max            at");
            foreach (var e in r.Extremes)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {e.Field.Key,-24} {e.Field.Format(e.Min),9} {e.Field.Unit,-3} {Time(e.MinAt)}  {e.Field.Format(e.Max),9} {e.Field.Unit,-3} {Time(e.MaxAt)}");
            }
            var balancing = r.Balancing.Where(b => b.Time > TimeSpan.Zero).ToList();
            text.AppendLine(balancing.Count == 0 ? "  balancing: none" : "  balancing: " + string.Join(", ", balancing.Select(b => $"{b.Flag.Name.Replace(" balancing", "", StringComparison.Ordinal).ToLowerInvariant()} {Span(b.Time)}")));
            if (r.Alarms.Count == 0)
            {
                text.AppendLine("  alarms: none");
            }
            else
            {
                text.AppendLine("  alarms:");
                foreach (var a in r.Alarms)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"    {a.Flag.Name,-40} {Time(a.Start)} → {(a.End is { } end ? $"{Time(end)} ({Span(end - a.Start)})" : "still on at the end")}");
                }
            }
        }
        return text.ToString();
    }

    private static JsonObject ReportJson(string path, IReadOnlyList<PackReport> reports, RecordingReader reader) => new()
    {
        ["file"] = path,
        ["skipped_lines"] = reader.SkippedLines,
        ["packs"] = new JsonArray([.. reports.Select(r => (JsonNode)new JsonObject
        {
            ["address"] = r.Address,
            ["from"] = Iso(r.From),
            ["to"] = Iso(r.To),
            ["seconds"] = Math.Round((r.To - r.From).TotalSeconds, 3),
            ["updates"] = r.Updates,
            ["gaps"] = r.Gaps,
            ["gap_seconds"] = Math.Round(r.GapTime.TotalSeconds, 3),
            ["charged_ah"] = Math.Round(r.ChargedAh, 4),
            ["discharged_ah"] = Math.Round(r.DischargedAh, 4),
            ["charged_kwh"] = Math.Round(r.ChargedKwh, 5),
            ["discharged_kwh"] = Math.Round(r.DischargedKwh, 5),
            ["largest_cell_spread"] = r.LargestSpread is { } s ? new JsonObject { ["value"] = s.Max, ["at"] = Iso(s.MaxAt) } : null,
            ["extremes"] = new JsonObject(r.Extremes.Select(e => KeyValuePair.Create(e.Field.Key, (JsonNode?)new JsonObject
            {
                ["unit"] = e.Field.Unit,
                ["min"] = e.Min,
                ["min_at"] = Iso(e.MinAt),
                ["max"] = e.Max,
                ["max_at"] = Iso(e.MaxAt),
            }))),
            ["balancing_seconds"] = new JsonObject(r.Balancing.Select(b => KeyValuePair.Create(b.Flag.Key, (JsonNode?)Math.Round(b.Time.TotalSeconds, 3)))),
            ["alarms"] = new JsonArray([.. r.Alarms.Select(a => (JsonNode)new JsonObject
            {
                ["key"] = a.Flag.Key,
                ["name"] = a.Flag.Name,
                ["kind"] = a.Flag.Kind.ToString().ToLowerInvariant(),
                ["start"] = Iso(a.Start),
                ["end"] = a.End is { } end ? Iso(end) : null,
            })]),
        })]),
    };
}
