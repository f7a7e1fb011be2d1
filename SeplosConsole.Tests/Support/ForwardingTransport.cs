using SeplosConsole.Transport;

namespace SeplosConsole.Tests.Support;

/// <summary>A bus transport that hands everything to another one; tests override what they watch or change.</summary>
internal class ForwardingTransport(IBusTransport inner) : IBusTransport
{
    public virtual string Name => inner.Name;
    public virtual int? BaudRate => inner.BaudRate;
    public virtual bool IsOpen => inner.IsOpen;
    public virtual bool OpensQuiet => inner.OpensQuiet;
    public virtual Task OpenAsync(CancellationToken cancellationToken) => inner.OpenAsync(cancellationToken);
    public virtual Task CloseAsync() => inner.CloseAsync();
    public virtual void DiscardInput() => inner.DiscardInput();
    public virtual ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => inner.WriteAsync(data, cancellationToken);
    public virtual ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) => inner.ReadAsync(buffer, cancellationToken);
    public virtual ValueTask DisposeAsync() => inner.DisposeAsync();
}
