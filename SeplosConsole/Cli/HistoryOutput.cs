using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeplosConsole.Seplos;

namespace SeplosConsole.Cli;

public enum HistoryFormat
{
    Text,
    Csv,
    /// <summary>JSON Lines: one object per record, so a file cut short by Ctrl+C is still valid line by line.</summary>
    JsonLines,
}

/// <summary>
/// Writes history records in one format, each one whole and flushed as it arrives: an interrupted
/// download leaves a file whose every line is a complete record. Columns and keys come from the
/// map's HIA fields; events are the live flags' keys. Not thread-safe.
/// </summary>
public sealed class HistoryOutput(TextWriter writer, HistoryFormat format)
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly IReadOnlyList<FieldDefinition> Columns = HistoryRecord.MeasurementFields;
    private bool _started;

    public async Task WriteAsync(HistoryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_started && format == HistoryFormat.Csv)
        {
            await writer.WriteLineAsync(CsvHeader).ConfigureAwait(false);
        }
        _started = true;
        await writer.WriteLineAsync(format switch
        {
            HistoryFormat.Csv => CsvRow(record),
            HistoryFormat.JsonLines => JsonLine(record),
            _ => TextLine(record),
        }).ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A CSV file with no record still gets its header, so it is a valid empty table.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (!_started && format == HistoryFormat.Csv)
        {
            await writer.WriteLineAsync(CsvHeader).ConfigureAwait(false);
        }
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public static string CsvHeader => string.Join(',', ["date", "records_remaining", "events", .. Columns.Select(c => c.Key)]);

    public static string CsvRow(HistoryRecord record)
        => string.Join(',', [record.DateText, record.RecordsRemaining.ToString(CultureInfo.InvariantCulture),
            string.Join(' ', record.Events.Select(e => e.Key)), .. Columns.Select(c => c.Format(record.Value(c.Key) ?? 0))]);

    public static string JsonLine(HistoryRecord record)
    {
        var json = new JsonObject
        {
            ["date"] = record.Date is { } date ? Tb13Date.Format(date) : null,
            ["records_remaining"] = record.RecordsRemaining,
            ["events"] = new JsonArray([.. record.Events.Select(e => (JsonNode)e.Key)]),
            ["event_bytes"] = Convert.ToHexString(record.EventBytes.AsSpan()),
        };
        foreach (var column in Columns)
        {
            json[column.Key] = record.Value(column.Key);
        }
        return json.ToJsonString(Json);
    }

    /// <summary>"2024-05-14 00:09:52  53.12 V  +25.00 A  …  events" for a person.</summary>
    public static string TextLine(HistoryRecord record)
    {
        var cells = record.CellRange is { } range ? $"{range.Min:0.000}–{range.Max:0.000} V" : "no cells";
        var events = record.Events.Where(e => e.Kind != FlagKind.Switch).Select(e => e.Key);
        return string.Create(CultureInfo.InvariantCulture,
            $"{record.DateText}  {record.PackVoltage,6:0.00} V  {record.Current,7:+0.00;-0.00;0.00} A  {record.RemainingCapacity,7:0.00} Ah  cells {cells}  {record.CellTemperatures.Max(),5:0.0} °C  {string.Join(", ", events)}");
    }
}
