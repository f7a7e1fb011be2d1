using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Writes;

/// <summary>What a person (or the MQTT bridge) asked for, as typed.</summary>
/// <param name="Key">Parameter key or alias, any case.</param>
/// <param name="Value">The new value, invariant culture, optionally followed by the field's unit ("45", "45V", "3.45 V").</param>
/// <param name="Force">Allows a change of more than 20 % or to/from zero; never a value out of range or a broken relation.</param>
/// <param name="Source">Who asked: "cli", "tui", "mqtt", "restore"; recorded in the journal.</param>
/// <param name="RequestId">A remote dashboard's request id (MQTT correlation), journaled on both sides so the two records can be matched.</param>
public sealed record ParameterWriteRequest(string Key, string Value, bool Force = false, string Source = "cli", string? RequestId = null);

/// <summary>How a write attempt ended; the journal stores the snake_case name.</summary>
public enum WriteResult
{
    /// <summary>Written and read back equal.</summary>
    Confirmed,
    /// <summary>Written, but the read-back differs or failed.</summary>
    NotConfirmed,
    /// <summary>The pipeline said no before anything was written.</summary>
    Refused,
    /// <summary>The bus or the pack failed (no answer, exception reply, could not read).</summary>
    Failed,
    /// <summary>The pack already holds that value; nothing written.</summary>
    NoChange,
    /// <summary>The confirmation was declined or cancelled; nothing written.</summary>
    Cancelled,
}

/// <summary>The single register write the pipeline is about to make, for a person to confirm.</summary>
public sealed record WritePlan(FieldDefinition Field, long OldRaw, long NewRaw, IReadOnlyList<string> Warnings)
{
    public double OldValue => Field.ToValue(OldRaw);
    public double NewValue => Field.ToValue(NewRaw);

    /// <summary>e.g. "battery_low_voltage_alarm: 46.40 V → 45.00 V (register 0x1307 raw 4640 → raw 4500)".</summary>
    public string Summary => $"{Field.Key}: {Change}";

    /// <summary>Old → new with the register, without the key: for a line that names the key already.</summary>
    public string Change =>
        $"{SpaValues.Describe(Field, OldRaw)} → {SpaValues.Describe(Field, NewRaw)} (register 0x{Field.Address:X4} raw {OldRaw} → raw {NewRaw})";

    /// <summary>True when <paramref name="other"/> would write the same raw over the same raw (a plan shown earlier still holds).</summary>
    public bool SameWriteAs(WritePlan other) => Field.Key == other.Field.Key && OldRaw == other.OldRaw && NewRaw == other.NewRaw;
}

/// <summary>The end of one attempt, with the sentence a person reads.</summary>
public sealed record WriteOutcome(WriteResult Result, string Reason, WritePlan? Plan = null, long? HeldRaw = null)
{
    /// <summary>True only for <see cref="WriteResult.Confirmed"/>: the CLI exits 0 only then.</summary>
    public bool Succeeded => Result == WriteResult.Confirmed;

    public string Message => Result switch
    {
        WriteResult.Confirmed => $"{Plan!.Summary}: confirmed",
        WriteResult.NotConfirmed => $"{Plan!.Summary}: not confirmed: {Reason}",
        WriteResult.NoChange => $"no change: {Reason}",
        WriteResult.Cancelled => $"cancelled: {Reason}",
        WriteResult.Failed => $"failed: {Reason}",
        _ => $"refused: {Reason}",
    };

    public override string ToString() => Message;
}

/// <summary>
/// What <see cref="ParameterWriter.PrepareAsync"/> found: a plan ready for confirmation, or the
/// outcome that ends the attempt before anything is written (refused, no change, failed to read).
/// </summary>
public sealed record WriteValidation
{
    private WriteValidation(WritePlan? plan, WriteOutcome? stop, FieldDefinition? field)
    {
        Plan = plan;
        Stop = stop;
        Field = field;
    }

    public WritePlan? Plan { get; }
    public WriteOutcome? Stop { get; }
    /// <summary>The resolved parameter, when resolution got that far (for the journal).</summary>
    public FieldDefinition? Field { get; }
    public bool IsReady => Plan is not null;

    public static WriteValidation Ready(WritePlan plan) => new(plan, null, plan.Field);

    public static WriteValidation Ended(WriteOutcome outcome, FieldDefinition? field = null) => new(null, outcome, field);
}
