using System.Diagnostics.Metrics;
using System.Globalization;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Metrics;

/// <summary>
/// The readings and bus counters of every pack of a feed as System.Diagnostics.Metrics
/// instruments (meter <see cref="MeterName"/>). Observable: each collection reads the feed's latest
/// immutable statuses, so nothing is kept here and a scrape costs nothing between scrapes.
/// Instrument names are already Prometheus names (unit suffix, <c>_total</c> on counters).
/// </summary>
public sealed class PackMeters : IDisposable
{
    public const string MeterName = "SeplosConsole";

    private readonly Meter _meter = new(MeterName);
    private readonly IPackFeed _feed;

    public PackMeters(IPackFeed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        _feed = feed;
        Gauge("seplos_pack_voltage_volts", "Pack voltage", "pack_voltage");
        Gauge("seplos_pack_current_amperes", "Pack current, positive while charging", "current");
        Gauge("seplos_pack_state_of_charge_percent", "State of charge", "soc");
        Gauge("seplos_pack_state_of_health_percent", "State of health", "soh");
        Gauge("seplos_pack_cycles", "Charge cycles", "cycles");
        _meter.CreateObservableGauge("seplos_cell_voltage_volts", () => PerCell(CellVoltages), description: "Cell voltage");
        _meter.CreateObservableGauge("seplos_cell_temperature_celsius", () => PerCell(CellTemperatures), description: "Cell temperature");
        _meter.CreateObservableGauge("seplos_pack_online", () => Packs().Select(p => new Measurement<double>(p.Status.State == PackLinkState.Online ? 1 : 0, p.Tags)),
            description: "1 while the pack answers the bus");
        _meter.CreateObservableCounter("seplos_bus_requests_total", BusRequests, description: "Requests sent to the pack, by result");
        _meter.CreateObservableCounter("seplos_bus_bytes_received_total", () => Packs().Select(p => new Measurement<long>(p.Status.Counters.BytesReceived, p.Tags)),
            description: "Bytes received from the pack's bus");
    }

    public void Dispose() => _meter.Dispose();

    private void Gauge(string name, string description, string key)
        => _meter.CreateObservableGauge(name, () => Packs()
            .Where(p => p.Status.Snapshot.Value(key) is not null)
            .Select(p => new Measurement<double>(p.Status.Snapshot.Value(key)!.Value, p.Tags)), description: description);

    // The numbered keys as the register map has them (16 cells, 8 temperature sensors, 5–8 on
    // some packs only): a sensor the pack says is not fitted is absent from its snapshot, so no sample.
    private static readonly (string Key, string Number)[] CellVoltages = Numbered("cell_");
    private static readonly (string Key, string Number)[] CellTemperatures = Numbered("cell_temp_");

    private static (string Key, string Number)[] Numbered(string prefix)
        => [.. SeplosMap.Fields
            .Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(f.Key.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(f => (f.Key, f.Key[prefix.Length..]))];

    private IEnumerable<Measurement<double>> PerCell((string Key, string Number)[] cells)
    {
        foreach (var pack in Packs())
        {
            foreach (var (key, number) in cells)
            {
                if (pack.Status.Snapshot.Value(key) is { } value)
                {
                    yield return new Measurement<double>(value, [.. pack.Tags, new("cell", number)]);
                }
            }
        }
    }

    /// <summary>Replies, and each kind of failure (LinkCounters), as one counter with a result label.</summary>
    private IEnumerable<Measurement<long>> BusRequests()
    {
        foreach (var pack in Packs())
        {
            var c = pack.Status.Counters;
            foreach (var (result, value) in new[] { ("ok", c.Replies), ("timeout", c.Timeouts), ("crc_error", c.CrcErrors), ("exception", c.Exceptions), ("mismatch", c.Mismatches), ("link_failure", c.LinkFailures) })
            {
                yield return new Measurement<long>(value, [.. pack.Tags, new("result", result)]);
            }
        }
    }

    private IEnumerable<(PackStatus Status, KeyValuePair<string, object?>[] Tags)> Packs()
        => _feed.AllStatus.Select(s => (s, new KeyValuePair<string, object?>[] { new("address", s.Address.ToString(CultureInfo.InvariantCulture)), new("serial", s.Serial ?? "") }));
}
