using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Recording;

/// <summary>One update of a pack as recorded: the blocks read, in the order they were read.</summary>
public sealed record RecordedUpdate(byte Address, IReadOnlyList<BlockReading> Blocks)
{
    public DateTimeOffset Time => Blocks[0].ReadAt;
}

/// <summary>
/// Reads a recording (<see cref="RecordingFormat"/>, plain or gzip). A last line without its
/// newline (torn by a crash or a cut) is skipped, and so is a line that does not parse; after such
/// a line the blocks whose next line holds only changes are skipped until a whole copy comes, so
/// nothing wrong is ever returned. Not thread-safe; read once.
/// </summary>
public sealed class RecordingReader
{
    // A line is a few hundred bytes; anything far longer is not a recording.
    private const int MaxLine = 64 * 1024;

    private readonly Dictionary<(byte, BlockId), byte[]> _previous = [];
    private long _lastMs;
    private bool _haveTimeBase;

    /// <summary>Complete lines read (headers included).</summary>
    public long Lines { get; private set; }

    /// <summary>Lines skipped: malformed, torn at the end, or changes to a block whose base was lost.</summary>
    public long SkippedLines { get; private set; }

    /// <summary>Why the first skipped line was skipped, for a message.</summary>
    public string? FirstProblem { get; private set; }

    /// <summary>Opens a recording file, plain or gzip (recognised by its first bytes, not its name).</summary>
    public static Stream OpenFile(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 65536, useAsync: true);
        Span<byte> magic = stackalloc byte[2];
        var read = file.Read(magic);
        file.Seek(0, SeekOrigin.Begin);
        return read == 2 && magic[0] == 0x1F && magic[1] == 0x8B ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    public async IAsyncEnumerable<RecordedUpdate> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var buffer = new byte[65536];
        var pending = new List<byte>(512);
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException)
            {
                // A gzip file cut short: what came before the damage has been returned.
                Skip("the compressed file is cut short");
                yield break;
            }
            if (read == 0)
            {
                break;
            }
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }
                RecordedUpdate? update;
                if (pending.Count == 0)
                {
                    update = ParseLine(buffer.AsSpan(start, i - start));
                }
                else
                {
                    pending.AddRange(buffer.AsSpan(start, i - start));
                    update = ParseLine(pending.Count > MaxLine ? [] : [.. pending]);
                    pending.Clear();
                }
                start = i + 1;
                if (update is not null)
                {
                    yield return update;
                }
            }
            if (pending.Count <= MaxLine)
            {
                pending.AddRange(buffer.AsSpan(start, read - start));
            }
        }
        if (pending.Count > 0)
        {
            Skip("the last line is incomplete (the recording was cut or the program stopped while writing)");
        }
    }

    private RecordedUpdate? ParseLine(ReadOnlySpan<byte> bytes)
    {
        Lines++;
        var line = Encoding.ASCII.GetString(bytes).TrimEnd('\r');
        if (line.Length == 0)
        {
            return null;
        }
        if (line[0] == '#')
        {
            if (RecordingFormat.ParseHeader(line) is not { } timeBase)
            {
                // Another version or a comment: what follows cannot be trusted to be in this format.
                Skip($"line {Lines}: not a seplos recording header");
                _haveTimeBase = false;
                return null;
            }
            // A header starts a new writer: nothing before it is a base for what follows.
            _previous.Clear();
            _lastMs = timeBase.ToUnixTimeMilliseconds();
            _haveTimeBase = true;
            return null;
        }
        if (!_haveTimeBase)
        {
            Skip($"line {Lines}: data before a header");
            return null;
        }
        var parts = line.Split(' ');
        if (parts.Length < 3
            || !long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var deltaMs)
            || !byte.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var address))
        {
            return Bad($"line {Lines}: not a recorded update");
        }
        var lineMs = _lastMs + deltaMs;
        var blocks = new List<BlockReading>(parts.Length - 2);
        for (var i = 2; i < parts.Length; i++)
        {
            var item = parts[i].AsSpan();
            var nameEnd = item.IndexOfAny('/', '=', '~');
            var name = nameEnd < 0 ? item : item[..nameEnd];
            if (RecordingFormat.BlockNamed(name) is not { } block)
            {
                // A block this version's map does not have (a newer program wrote it): the others still count.
                continue;
            }
            var rest = nameEnd < 0 ? [] : item[nameEnd..];
            var ms = lineMs;
            if (!rest.IsEmpty && rest[0] == '/')
            {
                var end = rest[1..].IndexOfAny('=', '~');
                var offset = end < 0 ? rest[1..] : rest[1..(end + 1)];
                if (!long.TryParse(offset, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offsetMs))
                {
                    return BadItem(lineMs, $"line {Lines}: bad time offset");
                }
                ms += offsetMs;
                rest = end < 0 ? [] : rest[(end + 1)..];
            }
            var payload = RecordingFormat.ParsePayload(block, rest, _previous.GetValueOrDefault((address, block)));
            if (payload is null)
            {
                // Its base may be what went missing: its changes are not applied until a whole copy comes.
                _previous.Remove((address, block));
                return BadItem(lineMs, $"line {Lines}: {name} cannot be rebuilt");
            }
            _previous[(address, block)] = payload;
            blocks.Add(new BlockReading(block, payload, DateTimeOffset.FromUnixTimeMilliseconds(ms)));
        }
        _lastMs = lineMs;
        return blocks.Count == 0 ? null : new RecordedUpdate(address, blocks);
    }

    /// <summary>
    /// A line whose time was read but not all its blocks: the time still counts (the next line's
    /// is relative to it). The whole update is dropped rather than shown in part.
    /// </summary>
    private RecordedUpdate? BadItem(long lineMs, string problem)
    {
        _lastMs = lineMs;
        Skip(problem);
        return null;
    }

    private RecordedUpdate? Bad(string problem)
    {
        // The times of the lines after it are relative to one we could not read: they would be wrong.
        _haveTimeBase = false;
        _previous.Clear();
        Skip(problem);
        return null;
    }

    private void Skip(string problem)
    {
        SkippedLines++;
        FirstProblem ??= problem;
    }
}
