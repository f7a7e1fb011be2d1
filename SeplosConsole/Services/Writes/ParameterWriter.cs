using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Transport;

namespace SeplosConsole.Services.Writes;

/// <summary>
/// The one write pipeline every front end uses: resolve → validate → read current → confirm →
/// write → verify → record. Each step can end the attempt with a reason a person can act on;
/// every attempt that reaches <see cref="ExecuteAsync"/> is journaled, whatever its end.
/// </summary>
public sealed class ParameterWriter
{
    /// <summary>Largest change allowed without force, relative to the current raw register (issue 3, as the original tool).</summary>
    public const double MaxChangeWithoutForce = 0.20;

    private readonly SeplosClient _client;
    private readonly byte _address;
    private readonly WriteJournal _journal;
    private readonly TimeProvider _time;

    /// <param name="client">The bus to the pack.</param>
    /// <param name="address">The pack's bus address (0x00–0x0F).</param>
    /// <param name="journal">Where every attempt is recorded.</param>
    /// <param name="bmsSerial">The pack's serial (VIA 0x1715) when the caller knows it; recorded in the journal.</param>
    public ParameterWriter(SeplosClient client, byte address, WriteJournal journal, string? bmsSerial = null, TimeProvider? time = null)
    {
        _client = client;
        _address = address;
        _journal = journal;
        BmsSerial = bmsSerial;
        _time = time ?? TimeProvider.System;
    }

    public string? BmsSerial { get; set; }

    /// <summary>Where every attempt is recorded.</summary>
    public WriteJournal Journal => _journal;

    /// <summary>
    /// Resolves, validates against freshly read SPA values and builds the plan, without writing
    /// or journaling (a preview, e.g. for the dashboard before the user confirms).
    /// </summary>
    public async Task<WriteValidation> PrepareAsync(ParameterWriteRequest request, CancellationToken cancellationToken)
    {
        var requested = CheckRequest(request);
        if (requested.Stop is { } stop)
        {
            return stop;
        }

        SpaValues current;
        try
        {
            current = SpaValues.From(await _client.ReadBlockAsync(_address, BlockId.Spa, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is BusException or PackRefusedException)
        {
            return WriteValidation.Ended(new(WriteResult.Failed, $"could not read the current parameters of pack {_address}: {ex.Message}; nothing written"), requested.Field);
        }
        return Plan(request, requested, current);
    }

    /// <summary>
    /// The same checks as <see cref="PrepareAsync"/> against SPA values the caller already has,
    /// without the bus: a dashboard fed from the broker validates against the bridge's last
    /// reading before it sends the command (the bridge checks again against its own fresh read).
    /// </summary>
    public static WriteValidation Validate(ParameterWriteRequest request, SpaValues current)
    {
        var requested = CheckRequest(request);
        return requested.Stop ?? Plan(request, requested, current);
    }

    /// <summary>Key, number and range: everything that needs no reading of the pack.</summary>
    private static RequestedValue CheckRequest(ParameterWriteRequest request)
    {
        var (field, unresolved) = ParameterResolver.Resolve(request.Key);
        if (field is null)
        {
            return new(null, 0, 0, WriteValidation.Ended(new(WriteResult.Refused, unresolved!)));
        }
        var parsed = ParameterValueParser.Parse(field, request.Value);
        if (parsed.Value is not { } typed)
        {
            return new(field, 0, 0, WriteValidation.Ended(new(WriteResult.Refused, parsed.Refusal!), field));
        }
        if (field.ToRaw(typed) is not { } newRaw)
        {
            return new(field, 0, typed, WriteValidation.Ended(new(WriteResult.Refused, $"{InputEcho.Shorten(request.Value.Trim())} does not fit register 0x{field.Address:X4} of {field.Key}"), field));
        }
        // Range is checked on what would really be written, after rounding to the register.
        if (!field.InRange(field.ToValue(newRaw)))
        {
            return new(field, newRaw, typed, WriteValidation.Ended(new(WriteResult.Refused,
                $"{SpaValues.Describe(field, newRaw)} is outside the safe range of {field.Key}: {RangeText(field)}"), field));
        }
        return new(field, newRaw, typed, null);
    }

    /// <summary>Relations, size of the change and warnings, against the pack's current values.</summary>
    private static WriteValidation Plan(ParameterWriteRequest request, RequestedValue requested, SpaValues current)
    {
        var field = requested.Field!;
        var newRaw = requested.NewRaw;
        var oldRaw = current.Raw(field.Key);
        var warnings = new List<string>();
        var plan = new WritePlan(field, oldRaw, newRaw, warnings);
        if (oldRaw == newRaw)
        {
            return WriteValidation.Ended(new(WriteResult.NoChange, $"{field.Key} already holds {SpaValues.Describe(field, oldRaw)}; nothing written", plan), field);
        }

        var candidate = current.With(field, newRaw);
        var broken = ParameterRelations.Violations(candidate, field.Key);
        if (broken.Count > 0)
        {
            return WriteValidation.Ended(new(WriteResult.Refused, string.Join("; ", broken), plan), field);
        }

        if (ChangeTooLarge(field, oldRaw, newRaw) is { } tooLarge)
        {
            if (!request.Force)
            {
                return WriteValidation.Ended(new(WriteResult.Refused, $"{tooLarge}; use force (--force) if you mean it", plan), field);
            }
            warnings.Add($"forced: {tooLarge}");
        }
        if (Math.Abs(field.ToValue(newRaw) - requested.Typed) > field.Scale / 1000)
        {
            warnings.Add($"{InputEcho.Shorten(request.Value.Trim())} is rounded to {SpaValues.Describe(field, newRaw)}, the register's resolution");
        }
        // A rule broken elsewhere on the pack does not block this write (it cannot fix it), but the person should know.
        warnings.AddRange(ParameterRelations.All.Where(r => !r.Involves(field.Key)).Select(r => r.Violation(current)).OfType<string>()
            .Select(v => $"the pack already breaks a rule this write does not touch: {v}"));
        return WriteValidation.Ready(plan);
    }

    /// <summary>What <see cref="CheckRequest"/> found: the field and raw value to write, or the stop.</summary>
    private readonly record struct RequestedValue(FieldDefinition? Field, long NewRaw, double Typed, WriteValidation? Stop);

    /// <summary>Runs the whole pipeline and journals the attempt. Succeeded only when the read-back equals what was written.</summary>
    public async Task<WriteOutcome> ExecuteAsync(ParameterWriteRequest request, IConfirmation confirmation, CancellationToken cancellationToken)
    {
        WriteValidation validation;
        try
        {
            validation = await PrepareAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return Record(request, null, new(WriteResult.Cancelled, "cancelled before the write; nothing written"));
        }
        if (validation.Plan is not { } plan)
        {
            return Record(request, validation.Field, validation.Stop!);
        }

        // Checked before anyone is asked: a write that cannot be recorded is not offered.
        if (_journal.CheckWritable() is { } unwritable)
        {
            return new(WriteResult.Refused, $"the journal cannot be written ({unwritable}); nothing written", plan);
        }

        bool confirmed;
        try
        {
            confirmed = await confirmation.ConfirmAsync(plan, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return Record(request, plan.Field, new(WriteResult.Cancelled, $"{plan.Summary} was stopped at the confirmation; nothing written", plan));
        }
        catch (IOException ex)
        {
            // The terminal went away while asking (SIGHUP after a dropped SSH session): nobody confirmed.
            return Record(request, plan.Field, new(WriteResult.Cancelled, $"{plan.Summary} could not be confirmed ({ex.Message}); nothing written", plan));
        }
        // A stop that came while the person answered (Ctrl+C, SIGTERM, a closing front end) wins
        // over a "yes": nothing is written after a cancel, whichever front end asked.
        if (cancellationToken.IsCancellationRequested)
        {
            return Record(request, plan.Field, new(WriteResult.Cancelled, $"{plan.Summary} was stopped at the confirmation; nothing written", plan));
        }
        if (!confirmed)
        {
            return Record(request, plan.Field, new(WriteResult.Cancelled, $"{plan.Summary} was not confirmed; nothing written", plan));
        }

        // No journal, no write: the attempt is on disk before the register changes, so a crash or
        // a pulled plug between the two still leaves a record of what was sent.
        if (TryAppend(EntryFor(request, plan.Field, plan, WriteJournal.SendingResult, "sending the write; the outcome follows in the next line", null)) is { } journalProblem)
        {
            return new(WriteResult.Refused, $"the journal cannot be written ({journalProblem}); nothing written", plan);
        }

        // Once confirmed, the write and its read-back run to the end without the caller's token:
        // stopping between them would leave the register state unknown and the journal without an
        // outcome. The RTU client's timeout and retries bound how long that takes.
        var outcome = await WriteAndVerifyAsync(plan, CancellationToken.None).ConfigureAwait(false);
        return Record(request, plan.Field, outcome);
    }

    private async Task<WriteOutcome> WriteAndVerifyAsync(WritePlan plan, CancellationToken cancellationToken)
    {
        var field = plan.Field;
        var checkHint = $"check it with `seplos show {field.Key}` (register 0x{field.Address:X4})";
        string? writeProblem = null;
        try
        {
            if (await _client.WriteRawAsync(_address, field, plan.NewRaw, cancellationToken).ConfigureAwait(false) is { } code)
            {
                // An exception reply (busy, above all) does not prove the register is unchanged: a
                // busy pack may have stored the value before it answered. The read-back settles it.
                writeProblem = $"pack {_address} answered the write with an error: {code.Describe()}";
            }
        }
        catch (BusException ex)
        {
            // The request may have reached the pack and only the reply was lost: read back to find out.
            writeProblem = ex is RtuTimeoutException ? $"no answer from pack {_address} to the write" : $"the write did not complete ({ex.Message})";
        }

        long held;
        try
        {
            held = await _client.ReadRawAsync(_address, field, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BusException or PackRefusedException)
        {
            var what = writeProblem ?? "the pack acknowledged the write";
            return new(WriteResult.NotConfirmed, $"{what} and the read-back failed ({ex.Message}); the register state is unknown: {checkHint}", plan);
        }
        if (held == plan.NewRaw)
        {
            return new(WriteResult.Confirmed, writeProblem is null ? "read back equal" : $"{writeProblem}, but the read-back shows the new value", plan, held);
        }
        if (writeProblem is not null && held == plan.OldRaw)
        {
            return new(WriteResult.Failed, $"{writeProblem}; the BMS still holds {SpaValues.Describe(field, held)}, unchanged", plan, held);
        }
        return new(WriteResult.NotConfirmed, $"the BMS now holds {SpaValues.Describe(field, held)} (raw {held})", plan, held);
    }

    /// <summary>
    /// Why a change needs force, or null. Measured on the raw register, not the engineering value:
    /// temperatures are stored in 0.1 K with 0 °C at raw 2731 (reference, PIA notes), so 0.0 °C →
    /// −3.0 °C is a 1 % change of raw 2731 → 2701, not an infinite one, and "to zero" means raw 0;
    /// discharge thresholds are signed (−210), so the size is taken on the magnitude.
    /// </summary>
    private static string? ChangeTooLarge(FieldDefinition field, long oldRaw, long newRaw)
    {
        var change = $"{SpaValues.Describe(field, oldRaw)} → {SpaValues.Describe(field, newRaw)} (raw {oldRaw} → {newRaw})";
        if (newRaw == 0)
        {
            return $"a change to zero: {change}";
        }
        if (oldRaw == 0)
        {
            return $"a change from zero: {change}";
        }
        var allowed = (long)Math.Floor(Math.Abs(oldRaw) * MaxChangeWithoutForce);
        if (Math.Abs(newRaw - oldRaw) <= allowed)
        {
            return null;
        }
        var percent = Math.Abs(newRaw - oldRaw) * 100.0 / Math.Abs(oldRaw);
        var low = Math.Max(oldRaw - allowed, field.ToRaw(field.Min ?? double.MinValue) ?? long.MinValue);
        var high = Math.Min(oldRaw + allowed, field.ToRaw(field.Max ?? double.MaxValue) ?? long.MaxValue);
        return $"a change of {percent:0.#} % of the register (more than {MaxChangeWithoutForce:P0}): {change}; " +
               $"without force it may go to {field.Format(field.ToValue(low))} … {SpaValues.Describe(field, high)}";
    }

    private static string RangeText(FieldDefinition field)
        => $"{(field.Min is { } min ? field.Format(min) : "−∞")} … {(field.Max is { } max ? field.Format(max) : "∞")} {field.Unit}".TrimEnd();

    /// <summary>
    /// Journals an attempt that ended outside <see cref="ExecuteAsync"/>: a front end's own cancel
    /// (the dashboard's dialog, a restore declined before its first write) or refusal.
    /// </summary>
    public WriteOutcome Record(ParameterWriteRequest request, WriteOutcome outcome)
        => Record(request, outcome.Plan?.Field ?? ParameterResolver.Resolve(request.Key).Field, outcome);

    private WriteOutcome Record(ParameterWriteRequest request, FieldDefinition? field, WriteOutcome outcome)
    {
        var entry = EntryFor(request, field, outcome.Plan, WriteJournal.ResultName(outcome.Result), outcome.Reason,
            outcome.Result == WriteResult.NotConfirmed ? outcome.HeldRaw : null);
        // The write already happened (or not); its outcome must still reach the person.
        return TryAppend(entry) is { } problem
            ? outcome with { Reason = $"{outcome.Reason} (the journal {_journal.Path} could not be written: {problem})" }
            : outcome;
    }

    private WriteJournalEntry EntryFor(ParameterWriteRequest request, FieldDefinition? field, WritePlan? plan, string result, string reason, long? heldRaw)
        => WriteJournalEntry.For(_time.GetUtcNow(), _client.Rtu.Transport.Name, _address, BmsSerial, request, field, plan, result, reason, heldRaw);

    /// <summary>Appends; null when the line is on disk, else why it is not.</summary>
    private string? TryAppend(WriteJournalEntry entry) => _journal.TryAppend(entry);
}
