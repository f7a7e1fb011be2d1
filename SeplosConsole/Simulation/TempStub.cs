namespace SeplosConsole.Simulation;
public sealed record SimulatorOptions { public IReadOnlyList<byte> Addresses { get; init; } = [0]; public bool Master { get; init; } public int BaudRate { get; init; } = 19200; }
public static class InProcessSimulatorTransport { public static Transport.IBusTransport Create(SimulatorOptions o) => throw new NotImplementedException(); }
