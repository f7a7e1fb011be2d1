using System.Globalization;
using System.Text;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Recording;

/// <summary>Where a recorder puts a pack's newly read blocks.</summary>
public interface IRecordingSink : IAsyncDisposable
{
    /// <summary>Writes the blocks (read in this order) as one update of the pack and flushes it.</summary>
    void Write(byte address, IReadOnlyList<BlockReading> blocks);

    /// <summary>Bytes written so far, for the size measurement (bytes per poll).</summary>
    long BytesWritten { get; }
}

/// <summary>
/// Writes one recording (<see cref="RecordingFormat"/>) to a stream: a header, then one line per
/// update, each block as its changes since the block's previous reading. Every update is flushed
/// to the operating system at once, so a crash loses at most the line being written (which the
/// reader skips). A whole copy of each block goes out every <see cref="WholeCopyEvery"/>, so a
/// damaged line costs at most that much of one block. Not thread-safe: one recorder owns it.
/// </summary>
public sealed class RecordingWriter : IRecordingSink, IDisposable
{
    /// <summary>How often each block is written whole even when it changed little.</summary>
    public static readonly TimeSpan WholeCopyEvery = TimeSpan.FromMinutes(10);

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly Dictionary<(byte, BlockId), (byte[] Payload, long WholeAtMs)> _previous = [];
    private readonly StringBuilder _line = new(256);
    private long _lastMs;
    private bool _headerWritten;

    public RecordingWriter(Stream stream, bool ownsStream = true)
    {
        _stream = stream;
        _ownsStream = ownsStream;
    }

    public long BytesWritten { get; private set; }

    /// <summary>
    /// Opens <paramref name="path"/> for appending. A last line torn by a crash is cut off first,
    /// so the new header starts on a line of its own and no half line is left in the middle.
    /// </summary>
    public static RecordingWriter Append(string path)
    {
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            stream.SetLength(CompleteLength(stream));
            stream.Seek(0, SeekOrigin.End);
            return new RecordingWriter(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The length up to and including the last newline.</summary>
    private static long CompleteLength(FileStream stream)
    {
        var buffer = new byte[4096];
        var end = stream.Length;
        while (end > 0)
        {
            var start = Math.Max(0, end - buffer.Length);
            stream.Seek(start, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, (int)(end - start));
            var newline = Array.LastIndexOf(buffer, (byte)'\n', (int)(end - start) - 1);
            if (newline >= 0)
            {
                return start + newline + 1;
            }
            end = start;
        }
        return 0;
    }

    public void Write(byte address, IReadOnlyList<BlockReading> blocks)
    {
        if (blocks.Count == 0)
        {
            return;
        }
        var lineMs = blocks[0].ReadAt.ToUnixTimeMilliseconds();
        _line.Clear();
        if (!_headerWritten)
        {
            _lastMs = lineMs;
            _line.Append(RecordingFormat.Header(DateTimeOffset.FromUnixTimeMilliseconds(lineMs))).Append('\n');
            _headerWritten = true;
        }
        _line.Append((lineMs - _lastMs).ToString(CultureInfo.InvariantCulture)).Append(' ').Append(address.ToString(CultureInfo.InvariantCulture));
        _lastMs = lineMs;
        foreach (var block in blocks)
        {
            var ms = block.ReadAt.ToUnixTimeMilliseconds();
            _line.Append(' ').Append(block.Definition.Name);
            if (ms != lineMs)
            {
                _line.Append('/').Append((ms - lineMs).ToString(CultureInfo.InvariantCulture));
            }
            var payload = block.Payload.Span;
            var known = _previous.TryGetValue((address, block.Block), out var previous);
            var whole = !known || ms - previous.WholeAtMs >= (long)WholeCopyEvery.TotalMilliseconds;
            RecordingFormat.AppendPayload(_line, block.Block, payload, known ? previous.Payload : [], whole);
            _previous[(address, block.Block)] = (payload.ToArray(), whole ? ms : previous.WholeAtMs);
        }
        _line.Append('\n');
        var bytes = Encoding.ASCII.GetBytes(_line.ToString());
        _stream.Write(bytes);
        // To the operating system, not to the disk: a crash of this program loses nothing; a power
        // cut may lose what the kernel had not written yet, and a torn last line is skipped on reading.
        _stream.Flush();
        BytesWritten += bytes.Length;
    }

    public ValueTask DisposeAsync() => _ownsStream ? _stream.DisposeAsync() : ValueTask.CompletedTask;

    public void Dispose()
    {
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }
}
