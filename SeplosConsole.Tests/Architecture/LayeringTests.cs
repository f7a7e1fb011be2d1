using System.Text.RegularExpressions;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Architecture;

/// <summary>The layers depend on each other one way only (docs/architecture.md).</summary>
public sealed partial class LayeringTests
{
    // A namespace of a layer above Transport, named in a using or as a qualified name.
    [GeneratedRegex(@"\bSeplosConsole\.(Rtu|Seplos|Services|Simulation|Cli|Tui|Mqtt|Config)\b|\b(Rtu|Seplos|Services|Simulation|Cli|Tui|Mqtt|Config)\.[A-Z]")]
    private static partial Regex UpperLayer();

    [Fact]
    public void Transport_code_names_no_layer_above_it()
    {
        var folder = Path.Combine(RepositoryRoot.Path, "SeplosConsole", "Transport");
        var offenders = Directory.EnumerateFiles(folder, "*.cs")
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, number: i + 1)))
            .Where(l => UpperLayer().IsMatch(l.line))
            .Select(l => $"{Path.GetFileName(l.file)}:{l.number}: {l.line.Trim()}")
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void Link_failures_and_reply_failures_share_the_transport_layers_base()
    {
        // Callers that must treat a lost link like a lost reply (the write pipeline's read-back) catch BusException.
        Assert.True(typeof(Transport.TransportException).IsSubclassOf(typeof(Transport.BusException)));
        Assert.True(typeof(Rtu.RtuTimeoutException).IsSubclassOf(typeof(Transport.BusException)));
        Assert.Equal("SeplosConsole.Transport", typeof(Transport.TransportException).Namespace);
    }
}
