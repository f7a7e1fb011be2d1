using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Protocol;

/// <summary>A bus for tests: each write of a request makes the scripted chunks arrive.</summary>
internal sealed class ScriptedBusTransport : FakeBusTransport
{
    private readonly Func<byte[], int, IEnumerable<byte[]>> _script;

    /// <param name="script">Given the request bytes and the attempt number (0 first), the chunks that arrive.</param>
    public ScriptedBusTransport(Func<byte[], int, IEnumerable<byte[]>> script)
    {
        _script = script;
    }

    public int Writes { get; private set; }
    public override string Name => "scripted";

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        foreach (var chunk in _script(data.ToArray(), Writes))
        {
            Arrive(chunk);
        }
        Writes++;
        return ValueTask.CompletedTask;
    }
}
