using SeplosConsole.Rtu;
using SeplosConsole.Seplos;

namespace SeplosConsole.Simulation;

/// <summary>
/// One simulated Seplos V3 pack (16S LiFePO4) at one bus address. It holds a register image for
/// every block of <see cref="SeplosMap.Blocks"/> and fills them through the map by field key, so
/// the simulator and the decoder can never disagree about a register. A slow charge → rest →
/// discharge → rest cycle moves current, SOC, cell voltages and temperatures; PIC flags follow
/// the pack's own SPA thresholds. Time comes from the injected <see cref="TimeProvider"/>.
/// Thread-safe.
/// </summary>
public sealed partial class SimulatedPack
{
    private const int CellCount = 16;        // SPA cell_count in C1
    private const int FittedSensors = 4;     // SPA ntc_count in C1
    // Cell plus its share of busbars: 25 A moves a cell by 20 mV, as on a real 280 Ah pack.
    private const double CellResistanceOhms = 0.0008;
    // Cells more than this above the lowest cell get their balancing bit (PIC bytes 6–7).
    private const double BalancingDifferenceMillivolts = 15;
    // Below this the BMS reports 0 A and standby.
    private const double IdleCurrentAmps = 0.5;
    private const double ChargeAmps = 25;
    private const double DischargeAmps = 25;
    private const double CellTemperatureLagSeconds = 600;
    private const double PowerTemperatureLagSeconds = 180;
    private static readonly TimeSpan ModelStep = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromDays(1);
    private static readonly TimeSpan AmbientPeriod = TimeSpan.FromHours(6);

    // Open-circuit voltage of a LiFePO4 cell against SOC (%): flat in the middle, steep at the ends.
    private static readonly (double Soc, double Volts)[] OpenCircuitVolts =
    [
        (0, 2.95), (5, 3.15), (10, 3.22), (20, 3.26), (30, 3.28), (40, 3.29), (50, 3.30),
        (60, 3.305), (70, 3.31), (80, 3.325), (90, 3.335), (95, 3.35), (100, 3.40),
    ];

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly TimeSpan _cyclePeriod;
    private readonly Dictionary<BlockId, byte[]> _images = [];
    private readonly double[] _cellOffsets = new double[CellCount];
    private readonly double[] _sensorOffsets = new double[FittedSensors];
    private readonly double[] _cellTemperatures = new double[FittedSensors];
    private readonly double _currentShare;
    private readonly double? _constantCurrent;
    private readonly double _soh;
    private readonly int _firstCycles;
    private readonly double _firstDischargedAh;
    private DateTimeOffset _lastUpdate;
    private TimeSpan _modelTime;
    private double _current;
    private double _remainingAh;
    private double _dischargedAh;
    private double _powerTemperature;
    private bool _chargeAllowed = true;
    private bool _dischargeAllowed = true;

    public SimulatedPack(byte address, SimulatorOptions options, TimeProvider? time = null)
    {
        Address = address;
        IsMaster = address == 0 && options.Master;
        _time = time ?? TimeProvider.System;
        _random = new Random(unchecked((options.Seed * 397) + address));
        _cyclePeriod = options.CyclePeriod;
        _constantCurrent = options.ConstantCurrent;
        foreach (var block in SeplosMap.Blocks)
        {
            _images[block.Id] = new byte[block.PayloadLength];
        }
        SfaImage.CopyTo(_images[BlockId.Sfa]);

        // Cells within ±4 mV of each other and one high cell: at rest the spread stays under the
        // balancing threshold, under charge current it grows past it, as on a real pack.
        for (var cell = 0; cell < CellCount; cell++)
        {
            _cellOffsets[cell] = (_random.NextDouble() - 0.5) * 0.008;
        }
        _cellOffsets[_random.Next(CellCount)] = 0.009;
        for (var sensor = 0; sensor < FittedSensors; sensor++)
        {
            _sensorOffsets[sensor] = (_random.NextDouble() - 0.5) * 0.8;
        }
        _currentShare = 0.95 + (_random.NextDouble() * 0.1);
        _soh = Math.Round(99.0 + (_random.NextDouble() * 0.9), 1);
        _firstCycles = 10 + _random.Next(40);
        _firstDischargedAh = 2900 + _random.Next(200); // C1 showed 2900 Ah discharged
        _dischargedAh = _firstDischargedAh;

        foreach (var (key, value) in SpaDefaults)
        {
            Put(key, value);
        }
        _remainingAh = RatedCapacityAh * (0.55 + (_random.NextDouble() * 0.1));
        FillIdentity();
        var environment = EnvironmentTemperature(TimeSpan.Zero);
        for (var sensor = 0; sensor < FittedSensors; sensor++)
        {
            _cellTemperatures[sensor] = environment - 1 + _sensorOffsets[sensor];
        }
        _powerTemperature = environment;
        _lastUpdate = _time.GetUtcNow();
        _current = LoadCurrent(TimeSpan.Zero);
        Render();
        StartMemory(options);
    }

    public byte Address { get; }

    /// <summary>Answers the system blocks EIA/EIB/EIC (address 0 of a parallel system).</summary>
    public bool IsMaster { get; }

    /// <summary>Advances the model to the time provider's "now" (at most a day at once).</summary>
    public void Update()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var elapsed = now - _lastUpdate;
            _lastUpdate = now;
            if (elapsed > TimeSpan.Zero)
            {
                Advance(elapsed < MaxCatchUp ? elapsed : MaxCatchUp);
            }
        }
    }

    /// <summary>Advances the model by <paramref name="elapsed"/> whatever the clock says (tests, demos).</summary>
    public void Step(TimeSpan elapsed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(elapsed, TimeSpan.Zero);
        lock (_gate)
        {
            Advance(elapsed);
        }
    }

    /// <summary>A copy of a block's payload as the pack would send it.</summary>
    public byte[] Image(BlockId block)
    {
        lock (_gate)
        {
            return [.. _images[block]];
        }
    }

    /// <summary>A field's engineering value decoded through the map (null for text fields).</summary>
    public double? Value(string key)
    {
        var field = FieldOf(key);
        lock (_gate)
        {
            return SeplosCodec.DecodeField(field, _images[field.Block]).Value;
        }
    }

    public string? Text(string key)
    {
        var field = FieldOf(key);
        lock (_gate)
        {
            return SeplosCodec.DecodeField(field, _images[field.Block]).Text;
        }
    }

    public bool Flag(string key)
    {
        var flag = FlagOf(key);
        lock (_gate)
        {
            return SeplosCodec.DecodeFlag(flag, _images[flag.Block]);
        }
    }

    /// <summary>Sets an SPA parameter as if the pack had been configured (takes effect at the next update).</summary>
    public void SetParameter(string key, double value)
    {
        var field = FieldOf(key);
        if (field.Block != BlockId.Spa)
        {
            throw new ArgumentException($"{key} is not an SPA parameter; live values come from the model", nameof(key));
        }
        lock (_gate)
        {
            SeplosCodec.EncodeValue(field, value, _images[BlockId.Spa]);
            AdoptSettings();
            Render();
        }
    }

    /// <summary>
    /// Payload of a read (fc 0x04 registers or fc 0x01 coils) that lies inside one block of the
    /// map; false when a real pack would refuse it with exception 0x02.
    /// </summary>
    internal bool TryRead(ModbusFunction function, ushort start, ushort count, out byte[] payload)
    {
        payload = [];
        var block = BlockFor(function, start, count);
        // A history record is only served through the history request (TryReadHistory).
        if (block is null || block.Id == BlockId.Hia || (SeplosMap.SystemBlocks.Contains(block.Id) && !IsMaster))
        {
            return false;
        }
        Update();
        lock (_gate)
        {
            if (block.Id == BlockId.Sca)
            {
                RenderClock();
            }
            var image = _images[block.Id];
            var offset = start - block.Start;
            if (!block.IsCoils)
            {
                payload = image.AsSpan(offset * 2, count * 2).ToArray();
                return true;
            }
            payload = new byte[(count + 7) / 8];
            for (var i = 0; i < count; i++)
            {
                var bit = offset + i;
                if ((image[bit / 8] & (1 << (bit % 8))) != 0)
                {
                    payload[i / 8] |= (byte)(1 << (i % 8));
                }
            }
            return true;
        }
    }

    /// <summary>
    /// Stores an fc 0x10 write when it lies inside SPA. Like a real pack it accepts registers the
    /// tool treats as read-only: the tool's safety rules live in its write pipeline, not here.
    /// </summary>
    internal bool TryWriteRegisters(ushort start, ReadOnlySpan<ushort> values)
    {
        var spa = SeplosMap.Block(BlockId.Spa);
        if (values.Length == 0 || !spa.Covers(start, (ushort)values.Length))
        {
            return TryWriteClock(start, values);
        }
        Update();
        lock (_gate)
        {
            var image = _images[BlockId.Spa];
            for (var i = 0; i < values.Length; i++)
            {
                var at = (start - spa.Start + i) * 2;
                image[at] = (byte)(values[i] >> 8);
                image[at + 1] = (byte)values[i];
            }
            AdoptSettings();
            Render();
            return true;
        }
    }

    /// <summary>Fills EIA and EIC from all packs of the system, as the master pack does.</summary>
    internal void RenderSystemBlocks(IReadOnlyCollection<SimulatedPack> packs)
    {
        if (!IsMaster)
        {
            return;
        }
        var totals = new Dictionary<string, double>();
        double Sum(string key) => packs.Sum(p => p.Value(key) ?? 0);
        foreach (var pack in packs)
        {
            pack.Update();
        }
        var online = packs.Where(p => p.Address < 32).Aggregate(0L, (mask, p) => mask | (1L << p.Address));
        var protectedMask = packs.Where(p => p.Address < 32 && p.HasActiveProtection())
            .Aggregate(0L, (mask, p) => mask | (1L << p.Address));
        totals["system_voltage"] = packs.Average(p => p.Value("pack_voltage") ?? 0);
        totals["system_current"] = Sum("current");
        totals["system_remaining_capacity"] = Sum("remaining_capacity");
        totals["system_total_capacity"] = Sum("total_capacity");
        totals["system_discharged_capacity"] = Sum("total_discharge_capacity");
        totals["system_rated_capacity"] = Sum("rated_battery_capacity");
        totals["system_online_packs"] = online;
        totals["system_protected_packs"] = protectedMask;
        totals["system_max_discharge_current"] = Sum("maxdiscurt");
        totals["system_max_charge_current"] = Sum("maxchgcurt");
        totals["system_suggested_over_voltage"] = Value("charging_request_voltage") ?? 0;
        totals["system_suggested_under_voltage"] = Value("battery_under_voltage_protection") ?? 0;
        totals["system_pack_count"] = packs.Count;
        totals["system_cycles"] = packs.Max(p => p.Value("cycles") ?? 0);
        totals["system_soc"] = packs.Average(p => p.Value("soc") ?? 0);
        totals["system_soh"] = packs.Average(p => p.Value("soh") ?? 0);

        // EIC bytes 0–9 carry the meanings of PIC bytes 8–17 (register reference, EIC): OR them.
        var systemFlags = SeplosMap.FlagsOf(BlockId.Pic)
            .Where(f => f.ByteIndex >= 8 && SeplosMap.FindFlag("system_" + f.Key) is not null)
            .Select(f => (Key: "system_" + f.Key, On: packs.Any(p => p.Flag(f.Key))))
            .ToList();

        lock (_gate)
        {
            foreach (var (key, value) in totals)
            {
                Put(key, value);
            }
            Array.Clear(_images[BlockId.Eic]);
            foreach (var (key, on) in systemFlags)
            {
                PutFlag(key, on);
            }
        }
    }

    private bool HasActiveProtection()
        => SeplosMap.FlagsOf(BlockId.Pic).Any(f => f.Kind == FlagKind.Protection && Flag(f.Key));

    private static RegisterBlock? BlockFor(ModbusFunction function, ushort start, ushort count)
        => count == 0 ? null : SeplosMap.Blocks.FirstOrDefault(b => b.Function == function && b.Covers(start, count));

    private void FillIdentity()
    {
        // VIA as seen in C1; the serials carry the address so that packs on one bus differ.
        PutText("factory_name", "XZH-ElecTech Co.,Ltd");
        PutText("device_name", "SG16S200A-SP57B-A");
        PutText("firmware_version", "15");
        PutText("bms_serial", $"SIMBMS2403{Address:D2}{_random.Next(10000):D4}");
        PutText("pack_serial", $"SIMPACK2403{Address:D2}{_random.Next(10000):D4}");
        // PCT as in one of the register reference's examples.
        Put("inverter_protocol_type", 0);
        Put("inverter_can_rate", 500);
        PutText("inverter_name", "SUN-3.6K-SG03P1-EU");
        PutText("inverter_protocol_name", "Pylon CAN Protocol");
        PutText("inverter_protocol_version", "20");
        Put("inverter_pending_type", 0);
    }

    /// <summary>Takes over settings the model keeps itself after SPA changed (remaining capacity).</summary>
    private void AdoptSettings()
        => _remainingAh = Math.Clamp(Spa("remaining_capacity_setting"), 0, FullCapacityAh);

    private double FullCapacityAh => Spa("full_charge_capacity") is > 0 and var full ? full : RatedCapacityAh;

    private void Advance(TimeSpan elapsed)
    {
        while (elapsed > TimeSpan.Zero)
        {
            var step = elapsed < ModelStep ? elapsed : ModelStep;
            elapsed -= step;
            AdvanceOneStep(step.TotalSeconds);
        }
        Render();
    }

    private void AdvanceOneStep(double seconds)
    {
        _modelTime += TimeSpan.FromSeconds(seconds);
        var amps = LoadCurrent(_modelTime);
        var full = FullCapacityAh;
        if (amps > 0 && (!_chargeAllowed || _remainingAh >= full))
        {
            amps = 0;
        }
        if (amps < 0 && (!_dischargeAllowed || _remainingAh <= 0))
        {
            amps = 0;
        }
        if (amps != 0)
        {
            amps += (_random.NextDouble() - 0.5) * 0.4; // sensor noise and load ripple
        }
        _current = amps;
        _remainingAh = Math.Clamp(_remainingAh + (amps * seconds / 3600), 0, full);
        if (amps < 0)
        {
            _dischargedAh += -amps * seconds / 3600;
        }

        // Temperatures follow their targets with a lag: cells warm a little with current, the
        // MOSFETs warm more (register reference: power temperature is the MOSFET temperature).
        var environment = EnvironmentTemperature(_modelTime);
        var cellFactor = 1 - Math.Exp(-seconds / CellTemperatureLagSeconds);
        for (var sensor = 0; sensor < FittedSensors; sensor++)
        {
            var target = environment - 1 + _sensorOffsets[sensor] + (0.04 * Math.Abs(amps));
            _cellTemperatures[sensor] += (target - _cellTemperatures[sensor]) * cellFactor;
        }
        var powerTarget = environment + (0.15 * Math.Abs(amps));
        _powerTemperature += (powerTarget - _powerTemperature) * (1 - Math.Exp(-seconds / PowerTemperatureLagSeconds));
    }

    /// <summary>The load profile: charge, rest, discharge, rest in one <see cref="SimulatorOptions.CyclePeriod"/>.</summary>
    private double LoadCurrent(TimeSpan at)
    {
        if (_constantCurrent is { } constant)
        {
            return constant;
        }
        var phase = at.Ticks % _cyclePeriod.Ticks / (double)_cyclePeriod.Ticks;
        var amps = phase switch
        {
            < 0.375 => ChargeAmps,
            < 0.5 => 0,
            < 0.875 => -DischargeAmps,
            _ => 0,
        };
        return amps * _currentShare;
    }

    /// <summary>Room temperature drifting slowly between 21.5 and 24.5 °C.</summary>
    private static double EnvironmentTemperature(TimeSpan at)
        => 23 + (1.5 * Math.Sin(2 * Math.PI * at.TotalSeconds / AmbientPeriod.TotalSeconds));

    private static double OpenCircuitVoltage(double soc)
    {
        for (var i = 1; i < OpenCircuitVolts.Length; i++)
        {
            var (soc1, volts1) = OpenCircuitVolts[i];
            if (soc <= soc1)
            {
                var (soc0, volts0) = OpenCircuitVolts[i - 1];
                return volts0 + ((volts1 - volts0) * (soc - soc0) / (soc1 - soc0));
            }
        }
        return OpenCircuitVolts[^1].Volts;
    }

    /// <summary>Writes the model's state into PIA, PIB, PIC and SPA's remaining capacity.</summary>
    private void Render()
    {
        var full = FullCapacityAh;
        var soc = Math.Clamp(_remainingAh / full * 100, 0, 100);
        var current = Math.Abs(_current) < IdleCurrentAmps ? 0 : Math.Round(_current, 2);
        var charging = current > 0;
        var discharging = current < 0;

        // Charging spreads the cells apart, discharging a little less (the high cell leads).
        var spreadFactor = charging ? 1.6 : discharging ? 1.2 : 1.0;
        var ocv = OpenCircuitVoltage(soc);
        var cells = new double[CellCount];
        for (var cell = 0; cell < CellCount; cell++)
        {
            var noise = (_random.Next(3) - 1) * 0.001;
            cells[cell] = Math.Round(ocv + (current * CellResistanceOhms) + (_cellOffsets[cell] * spreadFactor) + noise, 3);
        }
        var temperatures = _cellTemperatures.Select(t => Math.Round(t, 1)).ToArray();
        var environment = Math.Round(EnvironmentTemperature(_modelTime), 1);
        var power = Math.Round(_powerTemperature, 1);
        var packVolts = cells.Sum();

        Put("pack_voltage", packVolts);
        Put("current", current);
        Put("remaining_capacity", _remainingAh);
        Put("total_capacity", full);
        Put("total_discharge_capacity", _dischargedAh);
        Put("soc", soc);
        Put("soh", _soh);
        Put("cycles", _firstCycles + Math.Floor((_dischargedAh - _firstDischargedAh) / full));
        Put("average_cell_voltage", cells.Average());
        Put("average_cell_temp", temperatures.Average());
        Put("max_cell_voltage", cells.Max());
        Put("min_cell_voltage", cells.Min());
        Put("max_cell_temp", temperatures.Max());
        Put("min_cell_temp", temperatures.Min());
        PutRaw("pia_reserved_0e", 0);
        Put("maxdiscurt", Math.Abs(Spa("discharge_request_current")));
        Put("maxchgcurt", Spa("charging_request_current"));
        PutRaw("pia_reserved_11", 0x03E8); // what S1's example shows

        for (var cell = 0; cell < CellCount; cell++)
        {
            Put($"cell_{cell + 1}", cells[cell]);
        }
        for (var sensor = 1; sensor <= 8; sensor++)
        {
            // Sensors 5–8 are not fitted: they read raw 2731 = 0.0 °C (register reference, PIB).
            Put($"cell_temp_{sensor}", sensor <= FittedSensors ? temperatures[sensor - 1] : 0.0);
        }
        Put("environment_temp", environment);
        Put("power_temp", power);
        Put("remaining_capacity_setting", _remainingAh);

        RenderFlags(cells, temperatures, environment, power, current, soc, full);
    }

    private void RenderFlags(double[] cells, double[] temperatures, double environment, double power, double current, double soc, double full)
    {
        Array.Clear(_images[BlockId.Pic]);
        var charging = current > 0;
        var packVolts = cells.Sum();
        var lowest = cells.Min();
        var highest = cells.Max();

        // Per-cell bits (PIC bytes 0–3 and 6–7).
        for (var cell = 0; cell < CellCount; cell++)
        {
            PutFlag($"cell_{cell + 1}_high_voltage_alarm", cells[cell] >= Spa("cell_high_voltage_alarm"));
            PutFlag($"cell_{cell + 1}_low_voltage_alarm", cells[cell] <= Spa("cell_low_voltage_alarm"));
            PutFlag($"cell_{cell + 1}_balancing", Math.Round((cells[cell] - lowest) * 1000) > BalancingDifferenceMillivolts);
        }

        // Per-sensor bits (PIC bytes 4–5) against the charge or discharge limits in force.
        var mode = charging ? "charge" : "discharge";
        for (var sensor = 0; sensor < FittedSensors; sensor++)
        {
            PutFlag($"cell_temp_{sensor + 1}_high_alarm", temperatures[sensor] >= Spa($"{mode}_high_temperature_alarm"));
            PutFlag($"cell_temp_{sensor + 1}_low_alarm", temperatures[sensor] <= Spa($"{mode}_low_temperature_alarm"));
        }

        // TB02 voltage events.
        var cellOverVoltage = highest >= Spa("cell_over_voltage_protection");
        var cellUnderVoltage = lowest <= Spa("cell_under_voltage_protection");
        var packOverVoltage = packVolts >= Spa("battery_over_voltage_protection");
        var packUnderVoltage = packVolts <= Spa("battery_under_voltage_protection");
        PutFlag("cell_high_voltage_alarm_active", highest >= Spa("cell_high_voltage_alarm"));
        PutFlag("cell_over_voltage_protection_active", cellOverVoltage);
        PutFlag("cell_low_voltage_alarm_active", lowest <= Spa("cell_low_voltage_alarm"));
        PutFlag("cell_under_voltage_protection_active", cellUnderVoltage);
        PutFlag("pack_high_voltage_alarm_active", packVolts >= Spa("battery_high_voltage_alarm"));
        PutFlag("pack_over_voltage_protection_active", packOverVoltage);
        PutFlag("pack_low_voltage_alarm_active", packVolts <= Spa("battery_low_voltage_alarm"));
        PutFlag("pack_under_voltage_protection_active", packUnderVoltage);

        // TB03 cell temperature events, for the direction the current flows.
        var hottest = temperatures.Max();
        var coldest = temperatures.Min();
        var overTemperature = hottest >= Spa($"{mode}_over_temperature_protection");
        var underTemperature = coldest <= Spa($"{mode}_under_temperature_protection");
        PutFlag($"{mode}_high_temperature_alarm_active", hottest >= Spa($"{mode}_high_temperature_alarm"));
        PutFlag($"{mode}_over_temperature_protection_active", overTemperature);
        PutFlag($"{mode}_low_temperature_alarm_active", coldest <= Spa($"{mode}_low_temperature_alarm"));
        PutFlag($"{mode}_under_temperature_protection_active", underTemperature);

        // TB04 environment and power temperature events.
        PutFlag("high_ambient_temperature_alarm_active", environment >= Spa("high_ambient_temperature_alarm"));
        PutFlag("over_ambient_temperature_protection_active", environment >= Spa("over_ambient_temperature_protection"));
        PutFlag("low_ambient_temperature_alarm_active", environment <= Spa("low_ambient_temperature_alarm"));
        PutFlag("under_ambient_temperature_protection_active", environment <= Spa("under_ambient_temperature_protection"));
        PutFlag("power_high_temperature_alarm_active", power >= Spa("power_high_temperature_alarm"));
        PutFlag("power_over_temperature_protection_active", power >= Spa("power_over_temperature_protection"));

        // TB05 current events; discharge limits are negative (C1).
        var chargeOverCurrent = current >= Spa("charge_over_current_protection");
        var dischargeOverCurrent = current <= Spa("discharge_over_current_protection");
        PutFlag("charge_over_current_alarm_active", current >= Spa("charge_over_current_alarm"));
        PutFlag("charge_over_current_protection_active", chargeOverCurrent);
        PutFlag("discharge_over_current_alarm_active", current <= Spa("discharge_over_current_alarm"));
        PutFlag("discharge_over_current_protection_active", dischargeOverCurrent);

        // TB06 capacity events.
        var socProtection = soc <= Spa("soc_low_protection");
        PutFlag("soc_low_alarm_active", soc <= Spa("soc_low_alarm"));
        PutFlag("soc_low_protection_active", socProtection);
        PutFlag("cell_difference_alarm_active", highest - lowest >= Spa("cell_diff_pressure_alarm"));

        // TB07: a protection opens the MOSFET of its direction; the model then stops that current.
        _chargeAllowed = !(cellOverVoltage || packOverVoltage || chargeOverCurrent || (charging && (overTemperature || underTemperature)));
        _dischargeAllowed = !(cellUnderVoltage || packUnderVoltage || dischargeOverCurrent || socProtection || (!charging && (overTemperature || underTemperature)));
        PutFlag("charge_fet_on", _chargeAllowed);
        PutFlag("discharge_fet_on", _dischargeAllowed);

        // TB09 system state (S1's example: standby = byte 8 bit 4).
        PutFlag("charging", charging);
        PutFlag("discharging", current < 0);
        PutFlag("standby", current == 0);
        PutFlag("full_charge", _remainingAh >= full - 0.005);
    }

    private double Spa(string key) => SeplosCodec.DecodeField(FieldOf(key), _images[BlockId.Spa]).Value ?? 0;

    private void Put(string key, double value)
    {
        var field = FieldOf(key);
        SeplosCodec.EncodeValue(field, value, _images[field.Block]);
    }

    private void PutRaw(string key, long raw)
    {
        var field = FieldOf(key);
        SeplosCodec.EncodeRaw(field, raw, _images[field.Block]);
    }

    private void PutText(string key, string text)
    {
        var field = FieldOf(key);
        SeplosCodec.EncodeText(field, text, _images[field.Block]);
    }

    private void PutFlag(string key, bool on)
    {
        var flag = FlagOf(key);
        SeplosCodec.EncodeFlag(flag, on, _images[flag.Block]);
    }

    private static FieldDefinition FieldOf(string key)
        => SeplosMap.FindField(key) ?? throw new ArgumentException($"the register map has no field {key}", nameof(key));

    private static FlagDefinition FlagOf(string key)
        => SeplosMap.FindFlag(key) ?? throw new ArgumentException($"the register map has no flag {key}", nameof(key));
}
