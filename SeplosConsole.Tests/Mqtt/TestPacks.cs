using System.Collections.Concurrent;
using SeplosConsole.Mqtt;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>Snapshots built through the codec, as a pack would send them.</summary>
internal static class TestPacks
{
    public const string Serial = "SP05B-2024-0042";

    public static readonly BlockId[] AllBlocks = [BlockId.Pia, BlockId.Pib, BlockId.Pic, BlockId.Spa, BlockId.Via, BlockId.Pct, BlockId.Sfa, BlockId.Eia, BlockId.Eib, BlockId.Eic, BlockId.Sca];

    public static PackSnapshot Snapshot(
        byte address,
        IReadOnlyDictionary<string, double>? values = null,
        IEnumerable<string>? flagsOn = null,
        IEnumerable<BlockId>? blocks = null)
    {
        var on = new HashSet<string>(flagsOn ?? ["charging", "discharge_fet_on", "charge_fet_on"]);
        var readAt = DateTimeOffset.UtcNow;
        var readings = new List<BlockReading>();
        foreach (var block in blocks ?? [BlockId.Pia, BlockId.Pib, BlockId.Pic, BlockId.Spa, BlockId.Via])
        {
            var definition = SeplosMap.Block(block);
            if (definition.IsCoils)
            {
                var coils = new byte[definition.RegisterCount];
                foreach (var flag in SeplosMap.FlagsOf(block))
                {
                    SeplosCodec.EncodeFlag(flag, on.Contains(flag.Key), coils);
                }
                readings.Add(new BlockReading(block, coils, readAt));
                continue;
            }
            var payload = new byte[definition.RegisterCount * 2];
            foreach (var field in SeplosMap.FieldsOf(block))
            {
                if (field.Type == RegisterType.Ascii)
                {
                    SeplosCodec.EncodeText(field, TextFor(field.Key), payload);
                }
                else if (field.Type == RegisterType.Tb13Date)
                {
                    Tb13Date.Encode(readAt.LocalDateTime, payload.AsSpan(field.Offset * 2));
                }
                else
                {
                    var value = values is not null && values.TryGetValue(field.Key, out var v) ? v : DefaultFor(field);
                    SeplosCodec.EncodeValue(field, value, payload);
                }
            }
            readings.Add(new BlockReading(block, payload, readAt));
        }
        return PackSnapshot.Empty(address).With(readings);
    }

    public static PackStatus Status(byte address, PackSnapshot? snapshot = null, PackLinkState state = PackLinkState.Online)
        => new(address, state, snapshot ?? Snapshot(address), DateTimeOffset.UtcNow, null,
            new LinkCountersSnapshot(100, 98, 2, 0, 0, 0, 800, 9000, 0, 0, 0,
                TimeSpan.FromMilliseconds(31), TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(45)));

    private static string TextFor(string key) => key switch
    {
        "factory_name" => "SEPLOS",
        "device_name" => "SP05B",
        "firmware_version" => "V3",
        "bms_serial" => Serial,
        "pack_serial" => "PACK-0042",
        _ => "",
    };

    private static double DefaultFor(FieldDefinition field)
    {
        if (field.Min is { } min)
        {
            return min;
        }
        return field.Key switch
        {
            "pack_voltage" => 52.80,
            "current" => 5.50,
            "soc" => 80.0,
            "soh" => 100.0,
            "cell_count" => 16,
            _ => field.Quantity switch
            {
                Quantity.Temperature => 25.0,
                Quantity.Voltage when field.Decimals == 3 => 3.300,
                Quantity.Voltage => 52.8,
                Quantity.Percent => 50.0,
                _ => 1,
            },
        };
    }
}

/// <summary>A feed the test drives by hand; events are raised on the caller's thread.</summary>
internal sealed class FakePackFeed : IPackFeed
{
    private readonly ConcurrentDictionary<byte, PackStatus> _status = new();

    public FakePackFeed(params PackStatus[] packs)
    {
        foreach (var pack in packs)
        {
            _status[pack.Address] = pack;
        }
    }

    public event EventHandler<PackStatus>? PackUpdated;

    public event EventHandler<BusEvent>? Event
    {
        add { }
        remove { }
    }

    public IReadOnlyList<PackStatus> AllStatus => [.. _status.Values.OrderBy(s => s.Address)];

    public string LinkName => "fake";

    public bool IsLinkDown => false;

    public void Update(PackStatus status)
    {
        _status[status.Address] = status;
        PackUpdated?.Invoke(this, status);
    }
}

/// <summary>A bridge running in the background of a test, with its log lines and states.</summary>
internal sealed class RunningBridge : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    /// <param name="onStatus">Called on every status change; subscribed before the bridge starts, so no change is missed.</param>
    public RunningBridge(MqttOptions options, IPackFeed feed, IMqttWriteHandler? writeHandler = null, ITestOutputHelper? output = null, Action<MqttBridgeStatus>? onStatus = null)
    {
        Bridge = new MqttBridge(options, (level, line) =>
        {
            Log.Enqueue($"{level}: {line}");
            try
            {
                output?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {level}: {line}");
            }
            catch (InvalidOperationException)
            {
                // The test has ended; its output is closed.
            }
        }, writeHandler);
        Bridge.StatusChanged += (_, status) =>
        {
            States.Enqueue(status);
            onStatus?.Invoke(status);
        };
        Run = Task.Run(() => Bridge.RunAsync(feed, _stop.Token));
    }

    public MqttBridge Bridge { get; }

    public Task Run { get; }

    public ConcurrentQueue<string> Log { get; } = new();

    public ConcurrentQueue<MqttBridgeStatus> States { get; } = new();

    public static MqttOptions Options(MosquittoBroker broker) => new()
    {
        Server = broker.Host,
        Port = broker.Port,
        MinReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(400),
        MinBirthDelay = TimeSpan.FromMilliseconds(50),
        MaxBirthDelay = TimeSpan.FromMilliseconds(100),
        ConnectTimeout = TimeSpan.FromSeconds(3),
        // Most tests' packs have VIA from the start; the ones that don't are not about the wait.
        IdentityWait = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>Waits for a log line or state; fails with the bridge's log.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Waited in vain for {what}. Bridge log:\n{string.Join('\n', Log)}");
            }
            // Log lines and state changes have no awaitable; poll them briefly.
            await Task.Delay(20);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        if (!Run.IsCompleted)
        {
            await StopAsync();
        }
        _stop.Dispose();
    }
}
