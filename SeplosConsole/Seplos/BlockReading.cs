namespace SeplosConsole.Seplos;

/// <summary>
/// The raw payload of one block as the pack sent it: registers big-endian, or coil bytes
/// (bit 0 of byte 0 = first coil). Immutable once made.
/// </summary>
public sealed record BlockReading(BlockId Block, ReadOnlyMemory<byte> Payload, DateTimeOffset ReadAt)
{
    public RegisterBlock Definition => SeplosMap.Block(Block);
}

/// <summary>A decoded field: the raw register value and the engineering value or text.</summary>
public readonly record struct FieldReading(FieldDefinition Field, long Raw, double? Value, string? Text)
{
    public string Display => Text ?? (Value is { } v ? Field.Format(v) : "");

    public string DisplayWithUnit => Field.Unit.Length == 0 || Text is not null ? Display : $"{Display} {Field.Unit}";
}
