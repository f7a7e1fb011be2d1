using SeplosConsole.Rtu;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Writes;

/// <summary>Setting the pack's clock to the host's: what it holds now, and the zone the new time is taken in.</summary>
/// <param name="Old">The pack's clock when read; null when it held no valid date.</param>
/// <param name="HostAtPlan">The host's wall clock in <paramref name="Zone"/> when the plan was made.</param>
/// <param name="Reserved">TB13's reserved byte as the pack holds it; written back unchanged.</param>
public sealed record ClockWritePlan(DateTime? Old, DateTime HostAtPlan, TimeZoneInfo Zone, byte Reserved, IReadOnlyList<string> Warnings)
{
    public TimeSpan? Drift => Old is { } old ? old - HostAtPlan : null;

    /// <summary>A clock reading as the person reads it: the date, or "no valid date".</summary>
    public static string DateText(DateTime? date) => date is { } d ? Tb13Date.Format(d) : "no valid date";

    public string ZoneName => Zone == TimeZoneInfo.Utc ? "UTC" : $"local time, {Zone.Id}";

    /// <summary>"system_date: 2024-05-14 08:09:52 → 2024-05-14 00:09:52 (host clock, local time …; registers 0x1500–0x1503)".</summary>
    public string Summary
    {
        get
        {
            var date = SeplosMap.SystemDate;
            var old = DateText(Old);
            var drift = Drift is { } d ? $", the pack is {PackClockReading.Describe(d)} off" : "";
            return $"{date.Key}: {old} → {Tb13Date.Format(HostAtPlan)} (the host clock, {ZoneName}, at the moment of writing{drift}; " +
                   $"registers 0x{date.Address:X4}–0x{date.Address + date.Registers - 1:X4}, one write)";
        }
    }
}

/// <summary>The end of a clock write attempt, with the sentence a person reads.</summary>
public sealed record ClockWriteOutcome(WriteResult Result, string Reason, ClockWritePlan? Plan = null)
{
    public bool Succeeded => Result == WriteResult.Confirmed;

    public string Message => Result switch
    {
        WriteResult.Confirmed => $"{SeplosMap.SystemDate.Key}: set; {Reason}",
        WriteResult.NotConfirmed => $"{SeplosMap.SystemDate.Key}: not confirmed: {Reason}",
        WriteResult.NoChange => $"no change: {Reason}",
        WriteResult.Cancelled => $"cancelled: {Reason}",
        WriteResult.Failed => $"failed: {Reason}",
        _ => $"refused: {Reason}",
    };
}

/// <summary>
/// The clock's write pipeline, with the parameter pipeline's guarantees: read the clock → plan old
/// → new → confirm → journal the attempt BEFORE sending → write the 4 date registers in one fc 0x10
/// write → read back (within ±<see cref="Tolerance"/> of the host) → journal the outcome. The new time
/// is taken from the host just before sending, rounded to the second TB13 holds. Nothing but SCA's
/// date (0x1500–0x1503) is ever written here.
/// </summary>
public sealed class ClockWriter
{
    /// <summary>How far the read-back may be from the host's clock (issue 12: ±2 s).</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

    // A host that booted without a real-time clock says 1970 (or its image's build date): never
    // copy that into the pack, whose history records are stamped with it.
    private const int FirstPlausibleYear = 2024;
    private const int LastPlausibleYear = 2099;

    private readonly SeplosClient _client;
    private readonly byte _address;
    private readonly WriteJournal _journal;
    private readonly TimeProvider _time;

    public ClockWriter(SeplosClient client, byte address, WriteJournal journal, string? bmsSerial = null, TimeProvider? time = null)
    {
        _client = client;
        _address = address;
        _journal = journal;
        BmsSerial = bmsSerial;
        _time = time ?? TimeProvider.System;
    }

    public string? BmsSerial { get; set; }

    /// <summary>Runs the whole pipeline; every attempt is journaled, whatever its end.</summary>
    /// <param name="zone">The wall clock to set: <see cref="TimeZoneInfo.Local"/> or <see cref="TimeZoneInfo.Utc"/>.</param>
    /// <param name="confirm">Asked with the plan; false or cancellation ends the attempt with nothing written.</param>
    public async Task<ClockWriteOutcome> ExecuteAsync(TimeZoneInfo zone, Func<ClockWritePlan, CancellationToken, Task<bool>> confirm, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(confirm);
        var hostNow = HostNow(zone);
        if (hostNow.Year is < FirstPlausibleYear or > LastPlausibleYear)
        {
            return Record(new(WriteResult.Refused, $"the host's clock says {Tb13Date.Format(hostNow)}, which cannot be right; set the host's time first (NTP), nothing written"), hostNow);
        }

        PackClockReading current;
        try
        {
            current = await _client.ReadClockAsync(_address, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return Record(new(WriteResult.Cancelled, "cancelled before the write; nothing written"), hostNow);
        }
        catch (Exception ex) when (ex is RtuException or PackRefusedException)
        {
            return Record(new(WriteResult.Failed, $"could not read the clock of pack {_address}: {ex.Message}; nothing written"), hostNow);
        }

        var warnings = new List<string>();
        var plan = new ClockWritePlan(current.PackTime, current.HostTime(zone), zone, current.Reserved, warnings);
        if (plan.Drift is { } drift && drift.Duration() < TimeSpan.FromSeconds(1))
        {
            return Record(new(WriteResult.NoChange, $"the pack's clock is within a second of the host's ({PackClockReading.Describe(drift)}); nothing written", plan), hostNow);
        }
        if (plan.Drift is { } far && far.Duration() > TimeSpan.FromDays(1))
        {
            warnings.Add($"the pack's clock moves by {PackClockReading.Describe(-far)}: history records already stored keep their old dates");
        }

        // No journal, no write: refuse before asking, as the parameter pipeline does.
        if (_journal.CheckWritable() is { } unwritable)
        {
            return new(WriteResult.Refused, $"the journal cannot be written ({unwritable}); nothing written", plan);
        }

        bool confirmed;
        try
        {
            confirmed = await confirm(plan, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            confirmed = false;
        }
        catch (IOException ex)
        {
            // The terminal went away while asking (SIGHUP after a dropped SSH session): nobody
            // confirmed. Journaled as a cancel, as the parameter pipeline does.
            return Record(new(WriteResult.Cancelled, $"{plan.Summary} could not be confirmed ({ex.Message}); nothing written", plan), hostNow);
        }
        // A stop that came while the person answered wins over a "yes": nothing is written after a cancel.
        if (!confirmed || cancellationToken.IsCancellationRequested)
        {
            return Record(new(WriteResult.Cancelled, $"{plan.Summary} was not confirmed; nothing written", plan), hostNow);
        }

        // Once confirmed, the write and its read-back run to the end without the caller's token, as
        // in the parameter pipeline: stopping between them would leave the journal without an outcome.
        var target = RoundToSecond(HostNow(zone));
        var intent = new ClockWriteOutcome(WriteResult.Confirmed, $"writing {Tb13Date.Format(target)} over {ClockWritePlan.DateText(plan.Old)}", plan);
        if (TryJournal(intent, target, WriteJournal.SendingResult) is { } journalProblem)
        {
            return new(WriteResult.Failed, $"the journal {_journal.Path} could not be written ({journalProblem}); nothing written", plan);
        }
        var outcome = await WriteAndVerifyAsync(plan, target, zone, CancellationToken.None).ConfigureAwait(false);
        return Record(outcome, target);
    }

    private async Task<ClockWriteOutcome> WriteAndVerifyAsync(ClockWritePlan plan, DateTime target, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        string? writeProblem = null;
        try
        {
            if (await _client.WriteClockAsync(_address, target, plan.Reserved, cancellationToken).ConfigureAwait(false) is { } code)
            {
                return new(WriteResult.Failed, $"pack {_address} refused the clock write: {code.Describe()}", plan);
            }
        }
        catch (RtuException ex)
        {
            // The request may have reached the pack and only the reply was lost: read back to find out.
            writeProblem = ex is RtuTimeoutException ? $"no answer from pack {_address} to the clock write" : $"the clock write did not complete ({ex.Message})";
        }

        PackClockReading held;
        try
        {
            held = await _client.ReadClockAsync(_address, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RtuException or PackRefusedException)
        {
            var what = writeProblem ?? "the pack acknowledged the write";
            return new(WriteResult.NotConfirmed, $"{what} and the read-back failed ({ex.Message}); check it with `seplos clock`", plan);
        }
        if (held.Drift(zone) is { } drift && drift.Duration() <= Tolerance)
        {
            var prefix = writeProblem is null ? "" : $"{writeProblem}, but ";
            return new(WriteResult.Confirmed, $"{prefix}read back {Tb13Date.Format(held.PackTime!.Value)}, {PackClockReading.Describe(drift)} from the host", plan);
        }
        var heldText = ClockWritePlan.DateText(held.PackTime);
        var result = writeProblem is not null && held.PackTime == plan.Old ? WriteResult.Failed : WriteResult.NotConfirmed;
        return new(result, $"{writeProblem ?? "written"}; the pack now reads {heldText}, not within {Tolerance.TotalSeconds:0} s of the host's {Tb13Date.Format(held.HostTime(zone))}", plan);
    }

    private DateTime HostNow(TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(_time.GetUtcNow(), zone).DateTime;

    private static DateTime RoundToSecond(DateTime time)
        => new(time.Ticks + (TimeSpan.TicksPerSecond / 2) - ((time.Ticks + (TimeSpan.TicksPerSecond / 2)) % TimeSpan.TicksPerSecond), time.Kind);

    private ClockWriteOutcome Record(ClockWriteOutcome outcome, DateTime requested)
        => TryJournal(outcome, requested, WriteJournal.ResultName(outcome.Result)) is { } problem
            ? outcome with { Reason = $"{outcome.Reason} (the journal {_journal.Path} could not be written: {problem})" }
            : outcome;

    /// <summary>Appends through <see cref="WriteJournal.TryAppend"/>; null when the line is on disk, else why it is not.</summary>
    private string? TryJournal(ClockWriteOutcome outcome, DateTime requested, string result)
    {
        var field = SeplosMap.SystemDate;
        var entry = new WriteJournalEntry
        {
            Time = _time.GetUtcNow(),
            Source = "cli",
            Port = _client.Rtu.Transport.Name,
            Address = _address,
            BmsSerial = BmsSerial,
            Key = field.Key,
            Requested = Tb13Date.Format(requested),
            Register = $"0x{field.Address:X4}",
            Result = result,
            Reason = outcome.Plan is { } plan ? $"{ClockWritePlan.DateText(plan.Old)} → {Tb13Date.Format(requested)} ({plan.ZoneName}): {outcome.Reason}" : outcome.Reason,
        };
        return _journal.TryAppend(entry);
    }
}
