using System.Text;

namespace SeplosConsole.Seplos;

/// <summary>Renders the register map as Markdown for docs/registers.md, so the docs cannot drift from the code.</summary>
public static class MapDocument
{
    public static string Render()
    {
        var doc = new StringBuilder();
        doc.AppendLine("# Seplos V3 register map (generated)");
        doc.AppendLine();
        doc.AppendLine("Generated from `SeplosConsole/Seplos/SeplosMap*.cs` by `seplos map --markdown`; a test fails when");
        doc.AppendLine("this file and the code differ. \"unconfirmed\" marks values the sources disagree on: they are shown");
        doc.AppendLine("with a warning and never written. See [protocol.md](protocol.md) for the sources.");
        doc.AppendLine();
        doc.AppendLine("## Blocks");
        doc.AppendLine();
        doc.AppendLine("| block | function | start | count | per request | what |");
        doc.AppendLine("|---|---|---|---|---|---|");
        foreach (var block in SeplosMap.Blocks)
        {
            doc.AppendLine($"| {block.Name} | 0x{(byte)block.Function:X2} | 0x{block.Start:X4} | 0x{block.Count:X2} {(block.IsCoils ? "bits" : "registers")} | 0x{block.MaxPerRequest:X2} | {block.Description}{(block.Uncertain ? " (unconfirmed)" : "")}{(block.FallbackCount is { } fallback ? $"; read with 0x{fallback:X2} when a pack refuses 0x{block.Count:X2}" : "")} |");
        }
        foreach (var block in SeplosMap.Blocks.Where(b => !b.IsCoils))
        {
            doc.AppendLine();
            doc.AppendLine($"## {block.Name} — {block.Description}");
            doc.AppendLine();
            doc.AppendLine("| register | key | name | type | scale | unit | writable | safe range | note |");
            doc.AppendLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var field in SeplosMap.FieldsOf(block.Id))
            {
                var scale = field.RawOffset == 0 ? Number(field.Scale) : $"(raw {field.RawOffset:+0;-0}) × {Number(field.Scale)}";
                var range = field.RangeText() ?? "";
                var fitted = Fitted(field.FittedWhen);
                var note = string.Join("; ", new[] { field.Uncertain ? "unconfirmed" : null, fitted, field.Note, field.Aliases.Count > 0 ? "aliases: " + string.Join(", ", field.Aliases) : null }.Where(s => s is not null));
                doc.AppendLine($"| 0x{field.Address:X4} | `{field.Key}` | {field.Name} | {field.Type}{(field.Registers > 1 ? $" ×{field.Registers}" : "")} | {scale} | {field.Unit} | {(field.Writable ? "yes" : "")} | {range} | {note} |");
            }
        }
        foreach (var block in SeplosMap.Blocks.Where(b => b.IsCoils))
        {
            doc.AppendLine();
            doc.AppendLine($"## {block.Name} — {block.Description}");
            doc.AppendLine();
            doc.AppendLine("| coil | byte.bit | key | name | kind | note |");
            doc.AppendLine("|---|---|---|---|---|---|");
            foreach (var flag in SeplosMap.FlagsOf(block.Id))
            {
                var note = string.Join("; ", new[] { flag.Uncertain ? "unconfirmed: " + flag.Note : null, Fitted(flag.FittedWhen) }.Where(s => s is not null));
                doc.AppendLine($"| 0x{flag.Coil:X4} | {flag.ByteIndex}.{flag.BitInByte} | `{flag.Key}` | {flag.Name} | {flag.Kind} | {note} |");
            }
        }
        doc.AppendLine();
        doc.AppendLine("## Derived values");
        doc.AppendLine();
        foreach (var field in SeplosMap.Fields.Where(f => f.Type == RegisterType.Derived))
        {
            doc.AppendLine($"- `{field.Key}` ({field.Unit}): {field.Note}");
        }
        return doc.ToString().ReplaceLineEndings("\n");
    }

    private static string? Fitted(SensorPresence? presence)
        => presence is null ? null : $"present when {presence.CountKey} ≥ {presence.Number}";

    private static string Number(double value) => value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
