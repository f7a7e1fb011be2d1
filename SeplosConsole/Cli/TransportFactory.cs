using SeplosConsole.Config;
using SeplosConsole.Transport;

namespace SeplosConsole.Cli;

/// <summary>Chooses the transport from what the user typed as the port.</summary>
public static class TransportFactory
{
    /// <summary>
    /// The RTU client for the configured port, time-out and retries. <paramref name="simulator"/>
    /// sets up the in-process simulator when the port is <c>sim</c> (the bench sets its fault rate
    /// and turnaround); without it the simulator answers as the settings describe.
    /// </summary>
    public static Rtu.RtuClient CreateClient(SeplosSettings settings, Simulation.SimulatorOptions? simulator = null)
        => new(Create(settings, simulator), new Rtu.RtuClientOptions { Timeout = settings.Timeout, Retries = settings.Retries });

    public static IBusTransport Create(SeplosSettings settings, Simulation.SimulatorOptions? simulator = null)
    {
        if (settings.ReplayFile is { } replay)
        {
            return new Simulation.RecordedPacksTransport(replay);
        }
        var port = settings.Port.Trim();
        if (Mqtt.BrokerAddress.IsBroker(port))
        {
            // Reached by the commands that open the bus themselves (bench): said, not "no such device".
            throw RemoteBus.NeedsTheBus(port);
        }
        if (settings.IsSimulator)
        {
            return Simulation.InProcessSimulatorTransport.Create(simulator ?? new Simulation.SimulatorOptions
            {
                Addresses = settings.Addresses,
                Master = settings.ReadSystemBlocks,
                BaudRate = settings.BaudRate,
            });
        }
        if (port.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(port, UriKind.Absolute, out var uri) || uri.Port <= 0 || string.IsNullOrEmpty(uri.Host))
            {
                throw new TransportException($"'{port}' is not a gateway address; write tcp://host:port, e.g. tcp://192.0.2.10:8899");
            }
            return new TcpGatewayTransport(port, uri.Host, uri.Port, TimeSpan.FromSeconds(3));
        }
        return new SerialPortTransport(port, SerialLineSettings.SeplosDefault with { BaudRate = settings.BaudRate });
    }
}
