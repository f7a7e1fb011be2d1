using System.Diagnostics.Metrics;
using System.Globalization;
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
        _meter.CreateObservableGauge("seplos_cell_voltage_volts", () => PerCell("cell_", 16), description: "Cell voltage");
        _meter.CreateObservableGauge("seplos_cell_temperature_celsius", () => PerCell("cell_temp_", 4), description: "Cell temperature");
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

    private IEnumerable<Measurement<double>> PerCell(string prefix, int count)
    {
        foreach (var pack in Packs())
        {
            for (var n = 1; n <= count; n++)
            {
                if (pack.Status.Snapshot.Value(prefix + n.ToString(CultureInfo.InvariantCulture)) is { } value)
                {
                    yield return new Measurement<double>(value, [.. pack.Tags, new("cell", n.ToString(CultureInfo.InvariantCulture))]);
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
