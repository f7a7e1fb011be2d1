using System.Runtime.CompilerServices;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Tui;

namespace SeplosConsole.Tests.Tui;

internal static class HeadlessTerminal
{
    // Terminal.Gui must not touch the real console in tests (platform notes); this runs before any test.
#pragma warning disable CA2255 // a module initializer in a test assembly is the intended use
    [ModuleInitializer]
    internal static void DisableRealDriverIo() => Environment.SetEnvironmentVariable("DisableRealDriverIO", "1");
#pragma warning restore CA2255
}

/// <summary>Terminal.Gui keeps process-wide state: its tests run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TerminalGuiCollection
{
    public const string Name = "Terminal.Gui";
}

/// <summary>Builds snapshots from engineering values by encoding them into block payloads, as a pack would send them.</summary>
internal sealed class SnapshotBuilder
{
    private readonly byte _address;
    private readonly Dictionary<BlockId, byte[]> _payloads = [];

    public SnapshotBuilder(byte address = 0)
    {
        _address = address;
        // Temperatures read 0 K when left at raw 0: start every live block from a plausible pack.
        foreach (var block in SeplosMap.LiveBlocks)
        {
            Payload(block);
        }
        foreach (var field in SeplosMap.FieldsOf(BlockId.Pib).Concat(SeplosMap.FieldsOf(BlockId.Pia)).Where(f => f.Quantity == Quantity.Temperature))
        {
            Value(field.Key, field.Key is "cell_temp_5" or "cell_temp_6" or "cell_temp_7" or "cell_temp_8" ? 0.0 : 25.0);
        }
    }

    public SnapshotBuilder Value(string key, double value)
    {
        var field = SeplosMap.FindField(key) ?? throw new ArgumentException(key);
        SeplosCodec.EncodeValue(field, value, Payload(field.Block));
        return this;
    }

    public SnapshotBuilder Text(string key, string text)
    {
        var field = SeplosMap.FindField(key) ?? throw new ArgumentException(key);
        SeplosCodec.EncodeText(field, text, Payload(field.Block));
        return this;
    }

    public SnapshotBuilder Flag(string key, bool on = true)
    {
        var flag = SeplosMap.FindFlag(key) ?? throw new ArgumentException(key);
        SeplosCodec.EncodeFlag(flag, on, Payload(flag.Block));
        return this;
    }

    public SnapshotBuilder Cells(params double[] volts)
    {
        for (var i = 0; i < volts.Length; i++)
        {
            Value($"cell_{i + 1}", volts[i]);
        }
        return this;
    }

    /// <summary>A typical charging pack: 53.12 V, +12.3 A, SOC 87.5 %, 16 cells 3.310–3.325 V.</summary>
    public static SnapshotBuilder Typical(byte address = 0) => new SnapshotBuilder(address)
        .Value("pack_voltage", 53.12).Value("current", 12.3).Value("soc", 87.5).Value("soh", 99.0).Value("cycles", 123)
        .Value("remaining_capacity", 245.0).Value("total_capacity", 280.0).Value("maxchgcurt", 140).Value("maxdiscurt", 150)
        .Cells(TypicalCells)
        .Value("environment_temp", 21.5).Value("power_temp", 27.3)
        .Flag("charging").Flag("charge_fet_on").Flag("discharge_fet_on")
        .Text("bms_serial", "SN12345");

    public static readonly double[] TypicalCells =
        [3.311, 3.312, 3.313, 3.314, 3.315, 3.316, 3.317, 3.318, 3.319, 3.320, 3.321, 3.322, 3.323, 3.324, 3.325, 3.310];

    public PackSnapshot Build(DateTimeOffset readAt)
        => PackSnapshot.Empty(_address).With(_payloads.Select(p => new BlockReading(p.Key, p.Value.ToArray(), readAt)));

    private byte[] Payload(BlockId block)
    {
        if (!_payloads.TryGetValue(block, out var payload))
        {
            var definition = SeplosMap.Block(block);
            _payloads[block] = payload = new byte[definition.IsCoils ? definition.RegisterCount : definition.RegisterCount * 2];
        }
        return payload;
    }
}

internal sealed class FakeFeed : IPackFeed
{
    private readonly Dictionary<byte, PackStatus> _status = [];

    public event EventHandler<PackStatus>? PackUpdated;
    public event EventHandler<BusEvent>? Event;

    public IReadOnlyList<PackStatus> AllStatus => [.. _status.Values.OrderBy(s => s.Address)];
    public string LinkName => "sim";
    public bool IsLinkDown { get; set; }

    public static LinkCountersSnapshot Counters(long requests = 0, long timeouts = 0)
        => new(requests, requests, timeouts, 0, 0, 0, 0, 0, 0, 0, 0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    public void Add(PackStatus status) => _status[status.Address] = status;

    public PackStatus Publish(PackLinkState state, PackSnapshot snapshot, DateTimeOffset? lastSuccess, long requests = 0, string? error = null)
    {
        var status = new PackStatus(snapshot.Address, state, snapshot, lastSuccess, error, Counters(requests));
        _status[status.Address] = status;
        PackUpdated?.Invoke(this, status);
        return status;
    }

    public void Raise(BusEvent busEvent) => Event?.Invoke(this, busEvent);
}

internal sealed class FakeEditor : IParameterEditor
{
    public List<(byte Address, string Key, string Value)> Prepared { get; } = [];
    public List<EditPreparation> Applied { get; } = [];
    public List<EditPreparation> Cancelled { get; } = [];
    public string? RefuseWith { get; set; }
    public EditResult Result { get; set; } = new(EditOutcome.Confirmed, "read back 3.500 V");

    public Task<EditPreparation> PrepareAsync(byte address, string key, string value, CancellationToken cancellationToken)
    {
        Prepared.Add((address, key, value));
        return Task.FromResult(RefuseWith is { } reason
            ? EditPreparation.Refused(address, key, reason)
            : EditPreparation.Planned(address, key, $"{key}: 3.550 → {value} V (register 0x130B raw 3550 → 3500)", ["above the recovery value"]));
    }

    public Task<EditResult> ApplyAsync(EditPreparation preparation, CancellationToken cancellationToken)
    {
        Applied.Add(preparation);
        return Task.FromResult(Result);
    }

    public Task CancelledAsync(EditPreparation preparation, CancellationToken cancellationToken)
    {
        Cancelled.Add(preparation);
        return Task.CompletedTask;
    }
}
