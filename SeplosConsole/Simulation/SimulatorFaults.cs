using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;

namespace SeplosConsole.Simulation;

/// <summary>What can go wrong with one reply on a simulated bus.</summary>
public enum SimulatedFault
{
    None,
    /// <summary>The pack stays silent: the master times out.</summary>
    NoReply,
    /// <summary>The reply arrives with a wrong CRC.</summary>
    CorruptCrc,
    /// <summary>The pack answers with a Modbus exception (<see cref="SimulatorFaults.ExceptionCode"/>).</summary>
    ExceptionReply,
    /// <summary>The reply comes <see cref="SimulatorFaults.ExtraDelay"/> late.</summary>
    ExtraDelay,
    /// <summary>Line noise (<see cref="SimulatorFaults.GarbageLength"/> random bytes) before the reply.</summary>
    Garbage,
    /// <summary>The link goes away (the adapter is unplugged); the pty host re-creates the port.</summary>
    Disconnect,
}

/// <summary>
/// Faults to inject into replies, settable at run time from any thread. A per-address rule wins
/// over a rule for every address, which wins over the random mode. Counts what it injected.
/// </summary>
public sealed class SimulatorFaults
{
    private static readonly SimulatedFault[] DefaultRandomKinds =
        [SimulatedFault.NoReply, SimulatedFault.CorruptCrc, SimulatedFault.ExceptionReply, SimulatedFault.ExtraDelay, SimulatedFault.Garbage];

    private readonly Lock _gate = new();
    private readonly Random _random;
    private readonly Dictionary<byte, Rule> _perAddress = [];
    private readonly long[] _injected = new long[Enum.GetValues<SimulatedFault>().Length];
    private Rule? _everyAddress;
    private double _randomRate;
    private SimulatedFault[] _randomKinds = DefaultRandomKinds;
    private ModbusExceptionCode _exceptionCode = ModbusExceptionCode.DeviceBusy;
    private TimeSpan _extraDelay = TimeSpan.FromMilliseconds(200);
    private int _garbageLength = 6;

    public SimulatorFaults(int seed = 1, double randomRate = 0, IReadOnlyList<SimulatedFault>? randomKinds = null)
    {
        _random = new Random(seed);
        RandomRate = randomRate;
        if (randomKinds is not null)
        {
            RandomKinds = randomKinds;
        }
    }

    /// <summary>A fault for the next <c>Remaining</c> replies (int.MaxValue: until cleared).</summary>
    private sealed record Rule(SimulatedFault Fault, int Remaining);

    /// <summary>Share of replies that get a random fault from <see cref="RandomKinds"/> (0–1).</summary>
    public double RandomRate
    {
        get { lock (_gate) { return _randomRate; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1);
            lock (_gate) { _randomRate = value; }
        }
    }

    public IReadOnlyList<SimulatedFault> RandomKinds
    {
        get { lock (_gate) { return [.. _randomKinds]; } }
        set
        {
            if (value.Count == 0 || value.Contains(SimulatedFault.None))
            {
                throw new ArgumentException("random faults need at least one real fault kind", nameof(value));
            }
            lock (_gate) { _randomKinds = [.. value]; }
        }
    }

    /// <summary>Code sent by an <see cref="SimulatedFault.ExceptionReply"/> fault.</summary>
    public ModbusExceptionCode ExceptionCode
    {
        get { lock (_gate) { return _exceptionCode; } }
        set { lock (_gate) { _exceptionCode = value; } }
    }

    /// <summary>Added to the pacing by an <see cref="SimulatedFault.ExtraDelay"/> fault.</summary>
    public TimeSpan ExtraDelay
    {
        get { lock (_gate) { return _extraDelay; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            lock (_gate) { _extraDelay = value; }
        }
    }

    /// <summary>Random bytes sent before the reply by a <see cref="SimulatedFault.Garbage"/> fault.</summary>
    public int GarbageLength
    {
        get { lock (_gate) { return _garbageLength; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            lock (_gate) { _garbageLength = value; }
        }
    }

    /// <summary>Gives the next <paramref name="replies"/> replies (of one address, or any) the fault.</summary>
    public void InjectNext(SimulatedFault fault, int replies = 1, byte? address = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(replies);
        SetRule(new Rule(fault, replies), address);
    }

    /// <summary>Gives every reply (of one address, or any) the fault until <see cref="Clear"/>.</summary>
    public void InjectAlways(SimulatedFault fault, byte? address = null) => SetRule(new Rule(fault, int.MaxValue), address);

    /// <summary>Removes the injected rules (not the random mode, not the counts).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _perAddress.Clear();
            _everyAddress = null;
        }
    }

    /// <summary>How many replies got <paramref name="fault"/>.</summary>
    public long Injected(SimulatedFault fault) => Interlocked.Read(ref _injected[(int)fault]);

    public long TotalInjected => Enum.GetValues<SimulatedFault>().Where(f => f != SimulatedFault.None).Sum(Injected);

    /// <summary>Decides the fault for the next reply of <paramref name="address"/> and counts it.</summary>
    internal SimulatedFault Next(byte address)
    {
        SimulatedFault fault;
        lock (_gate)
        {
            fault = TakeRule(address) ?? PickRandom();
        }
        if (fault != SimulatedFault.None)
        {
            Interlocked.Increment(ref _injected[(int)fault]);
        }
        return fault;
    }

    internal byte[] Garbage()
    {
        lock (_gate)
        {
            var bytes = new byte[_garbageLength];
            _random.NextBytes(bytes);
            return bytes;
        }
    }

    private void SetRule(Rule rule, byte? address)
    {
        lock (_gate)
        {
            if (address is { } a)
            {
                _perAddress[a] = rule;
            }
            else
            {
                _everyAddress = rule;
            }
        }
    }

    private SimulatedFault? TakeRule(byte address)
    {
        if (_perAddress.TryGetValue(address, out var rule))
        {
            if (rule.Remaining <= 1)
            {
                _perAddress.Remove(address);
            }
            else if (rule.Remaining != int.MaxValue)
            {
                _perAddress[address] = rule with { Remaining = rule.Remaining - 1 };
            }
            return rule.Fault;
        }
        if (_everyAddress is { } every)
        {
            _everyAddress = every.Remaining <= 1 ? null
                : every.Remaining == int.MaxValue ? every : every with { Remaining = every.Remaining - 1 };
            return every.Fault;
        }
        return null;
    }

    private SimulatedFault PickRandom()
    {
        if (_randomRate <= 0 || _random.NextDouble() >= _randomRate)
        {
            return SimulatedFault.None;
        }
        return _randomKinds[_random.Next(_randomKinds.Length)];
    }
}

/// <summary>
/// A block the simulated packs refuse with exception 02 (illegal data address), as a pack or
/// firmware without it does: every read that touches <see cref="Block"/>, or only reads of exactly
/// <see cref="Count"/> units (a pack that answers PIA with 0x11 registers but refuses the master's
/// 0x12; register reference, "Parallel stacks"). An independent slave is not available to the
/// tests, so this is how partial readings are tested.
/// </summary>
public sealed record RefusedRead(BlockId Block, ushort? Count = null)
{
    /// <summary>True when a read of <paramref name="count"/> units at <paramref name="start"/> with <paramref name="function"/> is refused.</summary>
    public bool Refuses(ModbusFunction function, ushort start, ushort count)
    {
        var block = SeplosMap.Block(Block);
        var overlaps = start < block.Start + block.Count && start + count > block.Start;
        return function == block.Function && overlaps && (Count is null || Count == count);
    }

    /// <summary>"pic", "via" or "pia:0x12" (hex with 0x, or decimal).</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out RefusedRead? refused, out string error)
    {
        refused = null;
        var parts = text.Trim().Split(':', 2);
        var block = SeplosMap.Blocks.FirstOrDefault(b => string.Equals(b.Name, parts[0].Trim(), StringComparison.OrdinalIgnoreCase));
        if (block is null)
        {
            error = $"'{parts[0]}' is not a block; one of {string.Join(", ", SeplosMap.Blocks.Select(b => b.Name.ToLowerInvariant()))}";
            return false;
        }
        ushort? count = null;
        if (parts.Length == 2)
        {
            var number = parts[1].Trim();
            var hex = number.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            if (!ushort.TryParse(hex ? number[2..] : number, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                || parsed == 0)
            {
                error = $"'{parts[1]}' is not a register or coil count (e.g. 0x12 or 18)";
                return false;
            }
            count = parsed;
        }
        refused = new RefusedRead(block.Id, count);
        error = "";
        return true;
    }

    public override string ToString() => SeplosMap.Block(Block).Name.ToLowerInvariant() + (Count is { } n ? $":0x{n:X2}" : "");
}
