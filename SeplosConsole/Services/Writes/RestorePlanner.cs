using System.Globalization;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Writes;

/// <summary>One single-register write of a restore, in the order it must happen.</summary>
public sealed record PlannedWrite(FieldDefinition Field, long FromRaw, long ToRaw)
{
    /// <summary>The pipeline request that makes this step (the restore runs each through <see cref="ParameterWriter"/>).</summary>
    public ParameterWriteRequest ToRequest(bool force = false, string source = "restore")
        => new(Field.Key, Field.Format(Field.ToValue(ToRaw)), force, source);

    public override string ToString() =>
        $"{Field.Key}: {SpaValues.Describe(Field, FromRaw)} → {SpaValues.Describe(Field, ToRaw)}";
}

/// <summary>The order of a restore, or why no safe order exists.</summary>
/// <param name="Steps">Writes that keep every relation after each one (all of them when <see cref="IsSafe"/>).</param>
/// <param name="Blocked">Targets that cannot be applied, each with the reason; empty when the plan is complete.</param>
public sealed record RestorePlan(IReadOnlyList<PlannedWrite> Steps, IReadOnlyList<string> Blocked)
{
    public bool IsSafe => Blocked.Count == 0;
}

/// <summary>
/// Orders single writes so that the relations hold after each step (reference, "Relations a sane
/// parameter set keeps"). Moving a high-voltage group down must lower the recovery first and the
/// protection last; moving it up, the reverse; this finds such an order without knowing groups:
/// it repeatedly applies any pending write whose result keeps every relation it touches, and stops
/// when none can go, naming the rules that block each remaining write.
/// </summary>
public static class RestorePlanner
{
    public static RestorePlan Plan(SpaValues current, IReadOnlyDictionary<string, double> targets)
    {
        var blocked = new List<string>();
        var pending = new List<(FieldDefinition Field, long Raw)>();
        foreach (var (key, value) in targets)
        {
            var (field, refusal) = ParameterResolver.Resolve(key);
            if (field is null)
            {
                blocked.Add($"{key}: {refusal}");
            }
            else if (field.ToRaw(value) is not { } raw || !field.InRange(field.ToValue(raw)))
            {
                blocked.Add($"{field.Key}: {value.ToString(CultureInfo.InvariantCulture)} is outside the safe range or does not fit the register");
            }
            else if (!current.Has(field.Key))
            {
                blocked.Add($"{field.Key}: its current value was not read");
            }
            else if (current.Raw(field.Key) != raw)
            {
                pending.Add((field, raw));
            }
        }

        var steps = new List<PlannedWrite>();
        var state = current;
        while (pending.Count > 0)
        {
            var next = pending.FindIndex(p => ParameterRelations.Violations(state.With(p.Field, p.Raw), p.Field.Key).Count == 0);
            if (next < 0)
            {
                blocked.AddRange(pending.Select(p =>
                    $"{p.Field.Key} → {SpaValues.Describe(p.Field, p.Raw)}: {string.Join("; ", ParameterRelations.Violations(state.With(p.Field, p.Raw), p.Field.Key))}"));
                break;
            }
            var (field, raw) = pending[next];
            steps.Add(new PlannedWrite(field, state.Raw(field.Key), raw));
            state = state.With(field, raw);
            pending.RemoveAt(next);
        }
        return new RestorePlan(steps, blocked);
    }
}
