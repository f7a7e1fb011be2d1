using System.Buffers.Binary;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Recording;
using SeplosConsole.Transport;

namespace SeplosConsole.Simulation;

/// <summary>
/// <c>--replay FILE</c> for the one-shot commands (<c>all</c>, <c>show</c>, <c>info</c>): a bus
/// whose packs answer every read with the last reading of that block in the recording, so the
/// commands run unchanged and show the packs as they were when the recording ended. Nothing can
/// be written: a write request fails with <see cref="WritesRefusedReason"/> before anything else
/// happens. Not thread-safe (one RTU client owns it, as every transport).
/// </summary>
public sealed class RecordedPacksTransport(string path) : IBusTransport
{
    public const string WritesRefusedReason = ReplayFeed.WritesRefusedReason;

    private readonly Dictionary<(byte, BlockId), byte[]> _last = [];
    private readonly Queue<byte[]> _replies = new();
    private byte[] _pending = [];
    private bool _loaded;

    public string Name => $"recording {Path.GetFileName(path)}";
    public int? BaudRate => null;
    public bool IsOpen { get; private set; }
    public bool OpensQuiet => true;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            var reader = new RecordingReader();
            try
            {
                var stream = RecordingReader.OpenFile(path);
                await using var streamScope = stream.ConfigureAwait(false);
                await foreach (var update in reader.ReadAsync(stream, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var block in update.Blocks)
                    {
                        _last[(update.Address, block.Block)] = block.Payload.ToArray();
                    }
                }
            }
            catch (IOException ex)
            {
                throw new TransportException($"cannot read the recording {path}: {ex.Message}");
            }
            if (_last.Count == 0)
            {
                throw new TransportException($"{path} holds no readings" + (reader.FirstProblem is { } problem ? $" ({problem})" : ""));
            }
            _loaded = true;
        }
        IsOpen = true;
    }

    public Task CloseAsync()
    {
        IsOpen = false;
        return Task.CompletedTask;
    }

    public void DiscardInput()
    {
        _replies.Clear();
        _pending = [];
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var frame = data.Span;
        if (frame.Length < 8 || !Crc16Modbus.IsValidFrame(frame))
        {
            return ValueTask.CompletedTask;
        }
        var address = frame[0];
        var function = (ModbusFunction)frame[1];
        if (function is not (ModbusFunction.ReadInputRegisters or ModbusFunction.ReadCoils))
        {
            throw new TransportException(WritesRefusedReason);
        }
        if (!_last.Keys.Any(k => k.Item1 == address))
        {
            throw new TransportException($"pack {address} is not in the recording {Path.GetFileName(path)} (it has pack(s) {Config.AddressList.Format([.. _last.Keys.Select(k => k.Item1).Distinct().Order()])})");
        }
        var start = BinaryPrimitives.ReadUInt16BigEndian(frame[2..]);
        var quantity = BinaryPrimitives.ReadUInt16BigEndian(frame[4..]);
        _replies.Enqueue(Answer(address, function, start, quantity));
        return ValueTask.CompletedTask;
    }

    private byte[] Answer(byte address, ModbusFunction function, ushort start, ushort quantity)
    {
        foreach (var block in SeplosMap.Blocks)
        {
            if (block.Function != function || !block.Covers(start, quantity) || !_last.TryGetValue((address, block.Id), out var payload))
            {
                continue;
            }
            var data = block.IsCoils
                ? payload.AsSpan(0, (quantity + 7) / 8)
                : payload.AsSpan((start - block.Start) * 2, quantity * 2);
            if (block.IsCoils && start != block.Start)
            {
                break;
            }
            var reply = new byte[5 + data.Length];
            reply[0] = address;
            reply[1] = (byte)function;
            reply[2] = (byte)data.Length;
            data.CopyTo(reply.AsSpan(3));
            Crc16Modbus.Seal(reply);
            return reply;
        }
        // Not recorded (a listen-mode recording has no SPA, a slave pack no EIA): the pack "refuses" it.
        var refusal = new byte[] { address, (byte)((byte)function | 0x80), (byte)ModbusExceptionCode.IllegalDataAddress, 0, 0 };
        Crc16Modbus.Seal(refusal);
        return refusal;
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_pending.Length == 0 && _replies.Count > 0)
        {
            _pending = _replies.Dequeue();
        }
        if (_pending.Length == 0)
        {
            // Nothing owed: a silent line, until the client gives up.
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        var count = Math.Min(buffer.Length, _pending.Length);
        _pending.AsSpan(0, count).CopyTo(buffer.Span);
        _pending = _pending[count..];
        return count;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
