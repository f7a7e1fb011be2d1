using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using SeplosConsole.Seplos;

namespace SeplosConsole.Cli;

/// <summary>
/// <c>seplos decode [HEX…] [--capture FILE] [--start 0x1000] [--json]</c>: frames from arguments,
/// stdin or a capture file (one burst per line), split, paired, decoded through the map.
/// Never fails on bad input: it says what it could not read.
/// </summary>
public static class DecodeCommand
{
    // The generated context's options plus an encoder that keeps ° and µ readable (the default one
    // writes \u00B0; the context's attribute cannot set one).
    private static readonly DecodeJsonContext Json = new(
        new JsonSerializerOptions(DecodeJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public static Command Create(CliContext context)
    {
        var hex = new Argument<string[]>("hex") { Arity = ArgumentArity.ZeroOrMore, Description = "Bytes in hex (00 04 10 …, 0x00 0x04, 000410); none: read stdin" };
        var capture = new Option<string?>("--capture") { Description = "A capture file, one burst of hex bytes per line" };
        var start = new Option<string?>("--start") { Description = "First register of responses seen without their request, e.g. 0x1300" };
        var json = new Option<bool>("--json") { Description = "One JSON object per frame, then a summary object" };
        var command = new Command("decode", "Decode Modbus RTU frames of a Seplos bus through the register map") { hex, capture, start, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new DecodeOptions { StartHint = ParseStart(parse.GetValue(start)) };
            IEnumerable<string> lines;
            if (parse.GetValue(capture) is { } file)
            {
                var path = Path.GetFullPath(file, context.Directory);
                if (Directory.Exists(path))
                {
                    throw new CliException($"capture file {path} is a directory; give the file");
                }
                if (!File.Exists(path))
                {
                    throw new CliException($"capture file {path} does not exist");
                }
                try
                {
                    lines = await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new CliException($"cannot read capture file {path}: {ex.Message}");
                }
                // A capture holds one burst per line: a frame never runs on into the next line.
                options = options with { ChunksAreBursts = true };
            }
            else if (parse.GetValue(hex) is { Length: > 0 } args)
            {
                lines = [string.Join(' ', args)];
            }
            else
            {
                if (context.IsInteractive)
                {
                    // Otherwise a user who typed just "seplos decode" sees a silent, waiting terminal.
                    await context.Error.WriteLineAsync(InteractiveHint).ConfigureAwait(false);
                }
                lines = ReadLines(context.Input);
            }

            var result = DecodeSession.RunHex(lines, options);
            await WriteInputErrorsAsync(result.InputErrors, context.Error).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                foreach (var item in result.Items)
                {
                    await context.Output.WriteLineAsync(JsonSerializer.Serialize(item, Json.InterpretedFrame)).ConfigureAwait(false);
                }
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(new DecodeSummaryLine(result.Summary), Json.DecodeSummaryLine)).ConfigureAwait(false);
            }
            else
            {
                var number = 0;
                foreach (var item in result.Items)
                {
                    WriteText(item, ++number, context.Output);
                }
                WriteSummary(result.Summary, context.Output);
            }
            if (result.Summary.ValidFrames == 0)
            {
                await context.Error.WriteLineAsync(NothingDecodedHint).ConfigureAwait(false);
                return SeplosCli.Failure;
            }
            return SeplosCli.Ok;
        });
        return command;
    }

    /// <summary>Warnings beyond this many are counted, not printed: binary input makes thousands.</summary>
    public const int MaxInputWarnings = 10;

    internal const string InteractiveHint =
        "decode: reading hex bytes from the terminal, one frame or burst per line (e.g. 00 04 10 00 00 12 75 16); end with Ctrl+D. "
        + "Or give them as arguments, or a file with --capture FILE.";

    internal const string NothingDecodedHint =
        "decode: no valid frame found. Expected hex bytes, one burst per line, e.g. '00 04 10 00 00 12 75 16', '0x00,0x04,…', "
        + "'>>> 01.04.10.00.00.12.75.16', '12:00:01.234 RX: 01:04:24:…' (timestamps, line numbers and direction markers are skipped); "
        + "each frame must end in its Modbus CRC";

    private static async Task WriteInputErrorsAsync(IReadOnlyList<Rtu.HexTokenError> errors, TextWriter error)
    {
        foreach (var e in errors.Take(MaxInputWarnings))
        {
            await error.WriteLineAsync($"warning: line {e.Line}, column {e.Column}: '{EchoedInput.Quote(e.Token)}' skipped: {e.Reason}").ConfigureAwait(false);
        }
        if (errors.Count > MaxInputWarnings)
        {
            await error.WriteLineAsync($"warning: {errors.Count - MaxInputWarnings} more token(s) skipped (not shown; {errors.Count} in all)").ConfigureAwait(false);
        }
    }

    private static IEnumerable<string> ReadLines(TextReader input)
    {
        while (input.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    private static ushort? ParseStart(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var t = text.Trim();
        var ok = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ushort.TryParse(t[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)
            : ushort.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        return ok ? value : throw new CliException($"--start: '{text}' is not a register address (e.g. 0x1300 or 4864)");
    }

    private static void WriteText(InterpretedFrame item, int number, TextWriter output)
    {
        if (item.Kind == InterpretedKind.BadBytes)
        {
            output.WriteLine($"#{number} @{item.Offset} {item.Length} bad byte(s): {Shorten(item.Hex)}");
            return;
        }
        var kind = item.Kind switch
        {
            InterpretedKind.Request => "request",
            InterpretedKind.ExceptionResponse => "exception",
            _ => "response",
        };
        var block = item.Block is null ? "" : $" {item.Block}";
        var range = item.StartRegister is { } startRegister ? $" 0x{startRegister:X4}" + (item.Quantity is { } q ? $" ×{q}" : "") : "";
        output.WriteLine($"#{number} @{item.Offset} {kind} address 0x{item.Address:X2} fc 0x{item.FunctionCode:X2} ({item.FunctionName}){block}{range}, {item.Length} bytes, CRC {(item.CrcOk ? "ok" : "BAD")}");
        output.WriteLine($"   {Shorten(item.Hex)}");
        if (item.ExceptionCode is { } code)
        {
            output.WriteLine($"   exception 0x{code:X2}: {item.ExceptionMeaning}");
        }
        foreach (var field in item.Fields)
        {
            output.WriteLine($"   {field.Key} {field.Display}{(field.Unit.Length > 0 && field.Text is null ? " " + field.Unit : "")}{(field.Uncertain ? "  (unconfirmed)" : "")}");
        }
        if (item.Kind == InterpretedKind.Response && item.Block is not null && (item.Block == "HIA" || SeplosMap.Blocks.Any(b => b.Name == item.Block && b.IsCoils)))
        {
            WriteFlags(item.ActiveFlags, item.UnknownBits, "   ", output);
        }
        foreach (var alternative in item.Ambiguous)
        {
            output.WriteLine($"   if {alternative.Block} 0x{alternative.StartRegister:X4} ×{alternative.Quantity}:");
            foreach (var field in alternative.Fields)
            {
                output.WriteLine($"     {field.Key} {field.Display}{(field.Unit.Length > 0 && field.Text is null ? " " + field.Unit : "")}{(field.Uncertain ? "  (unconfirmed)" : "")}");
            }
            if (SeplosMap.Blocks.Any(b => b.Name == alternative.Block && b.IsCoils))
            {
                WriteFlags(alternative.ActiveFlags, alternative.UnknownBits, "     ", output);
            }
        }
        foreach (var note in item.Notes)
        {
            output.WriteLine($"   note: {note}");
        }
    }

    private static void WriteFlags(IReadOnlyList<InterpretedFlag> flags, IReadOnlyList<UnknownBit> unknown, string indent, TextWriter output)
    {
        output.WriteLine(flags.Count == 0
            ? indent + "no flags set"
            : indent + "set: " + string.Join(", ", flags.Select(f => f.Key + (f.Uncertain ? " (unconfirmed)" : ""))));
        if (unknown.Count > 0)
        {
            output.WriteLine(indent + "unknown bits set: " + string.Join(", ", unknown));
        }
    }

    private static void WriteSummary(DecodeSummary summary, TextWriter output)
        => output.WriteLine($"summary: {summary.ValidFrames} valid frame(s) ({summary.Requests} request(s), {summary.Responses} response(s), "
            + $"{summary.Exceptions} exception(s), {summary.PairedResponses} paired, {summary.IdentifiedFrames} identified"
            + (summary.AmbiguousFrames > 0 ? $", {summary.AmbiguousFrames} ambiguous" : "") + "); "
            + $"{summary.BadBytes} bad byte(s) in {summary.BadRuns} run(s)" + (summary.InputErrors > 0 ? $"; {summary.InputErrors} input token(s) skipped" : ""));

    private static string Shorten(string hex) => hex.Length <= 240 ? hex : hex[..240] + " …";
}

/// <summary>The last line of <c>seplos decode --json</c>: <c>{"summary": {…}}</c>.</summary>
internal sealed record DecodeSummaryLine(DecodeSummary Summary);

/// <summary>
/// The JSON of <c>seplos decode --json</c>, generated at compile time: no reflection, so it works in
/// the trimmed native program. snake_case names and enum values, nulls left out.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(SnakeCaseEnumConverter<InterpretedKind>), typeof(SnakeCaseEnumConverter<BlockSource>), typeof(SnakeCaseEnumConverter<FlagKind>)])]
[JsonSerializable(typeof(InterpretedFrame))]
[JsonSerializable(typeof(DecodeSummaryLine))]
internal sealed partial class DecodeJsonContext : JsonSerializerContext;

/// <summary>
/// An enum as its snake_case name ("exception_response"). A type of its own because the context's
/// attribute takes converter types, not instances with a naming policy.
/// </summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower)
    where TEnum : struct, Enum;
