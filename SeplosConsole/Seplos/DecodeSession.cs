using SeplosConsole.Rtu;

namespace SeplosConsole.Seplos;

public sealed record DecodeOptions
{
    /// <summary>First register (or coil) of responses seen without their request (<c>--start</c>).</summary>
    public ushort? StartHint { get; init; }

    /// <summary>
    /// Each chunk is a burst of its own (one line of a capture file): a frame never continues
    /// into the next chunk, so leftover bytes are reported as bad at the end of each chunk.
    /// When false, the chunks are one stream split anywhere.
    /// </summary>
    public bool ChunksAreBursts { get; init; }
}

/// <param name="IdentifiedFrames">Frames whose block of the map was found.</param>
/// <param name="AmbiguousFrames">Replies that fit several blocks (shown as each, identified as none).</param>
/// <param name="InputErrors">Tokens of hex input that were not bytes.</param>
public sealed record DecodeSummary(
    long ValidFrames,
    long Requests,
    long Responses,
    long Exceptions,
    long PairedResponses,
    long IdentifiedFrames,
    long AmbiguousFrames,
    long BadRuns,
    long BadBytes,
    int InputErrors);

public sealed record DecodeResult(IReadOnlyList<InterpretedFrame> Items, DecodeSummary Summary, IReadOnlyList<HexTokenError> InputErrors);

/// <summary>
/// Decodes a bus stream through <see cref="RtuStreamDecoder"/> and <see cref="FrameInterpreter"/>:
/// what <c>seplos decode</c> and listen mode call. Use <see cref="Run(IEnumerable{ReadOnlyMemory{byte}}, DecodeOptions?)"/>
/// for a finite input, or an instance fed as bytes arrive. An instance is not thread-safe.
/// </summary>
public sealed class DecodeSession
{
    private readonly RtuStreamDecoder _decoder = new(SeplosMap.CommandReads);
    private readonly ReplyIdentifier _identifier = new();
    private long _ambiguous;
    private long _identified;

    public DecodeSession(DecodeOptions? options = null)
    {
        Options = options ?? new DecodeOptions();
    }

    public DecodeOptions Options { get; }

    public RtuStreamCounts Counts => _decoder.Counts;

    /// <summary>Adds bytes; returns the items they complete.</summary>
    public IReadOnlyList<InterpretedFrame> Feed(ReadOnlySpan<byte> chunk)
    {
        var items = Interpret(_decoder.Feed(chunk));
        return Options.ChunksAreBursts ? [.. items, .. Flush()] : items;
    }

    /// <summary>End of the stream (or of a burst): reports what is held back.</summary>
    public IReadOnlyList<InterpretedFrame> Flush() => Interpret(_decoder.Flush());

    public DecodeSummary Summary(int inputErrors = 0)
    {
        var counts = _decoder.Counts;
        return new DecodeSummary(counts.ValidFrames, counts.Requests, counts.Responses, counts.Exceptions,
            counts.PairedResponses, _identified, _ambiguous, counts.BadRuns, counts.BadBytes, inputErrors);
    }

    /// <summary>Decodes chunks of bytes to the end.</summary>
    public static DecodeResult Run(IEnumerable<ReadOnlyMemory<byte>> chunks, DecodeOptions? options = null)
    {
        var session = new DecodeSession(options);
        var items = new List<InterpretedFrame>();
        foreach (var chunk in chunks)
        {
            items.AddRange(session.Feed(chunk.Span));
        }
        items.AddRange(session.Flush());
        return new DecodeResult(items, session.Summary(), []);
    }

    /// <summary>
    /// Decodes lines of hex text (command-line arguments joined into one line, stdin lines, a
    /// capture file's lines), one chunk per line, each read through <see cref="CaptureLine"/>. Bad tokens are skipped and reported, never thrown.
    /// </summary>
    public static DecodeResult RunHex(IEnumerable<string> lines, DecodeOptions? options = null)
    {
        var session = new DecodeSession(options);
        var items = new List<InterpretedFrame>();
        var errors = new List<HexTokenError>();
        var number = 0;
        foreach (var line in lines)
        {
            // Timestamps, line numbers and direction markers of published captures are not bytes.
            var parsed = HexBytes.Parse(CaptureLine.Parse(line).Hex, ++number);
            errors.AddRange(parsed.Errors);
            items.AddRange(session.Feed(parsed.Bytes));
        }
        items.AddRange(session.Flush());
        return new DecodeResult(items, session.Summary(errors.Count), errors);
    }

    private List<InterpretedFrame> Interpret(IReadOnlyList<RtuStreamItem> found)
    {
        var items = new List<InterpretedFrame>(found.Count);
        foreach (var item in found)
        {
            var identification = item is RtuFrame frame ? _identifier.Observe(frame) : null;
            var interpreted = FrameInterpreter.Interpret(item, Options.StartHint, identification);
            if (interpreted.CrcOk && interpreted.Block is not null)
            {
                _identified++;
            }
            if (interpreted.CrcOk && interpreted.Ambiguous.Count > 0)
            {
                _ambiguous++;
            }
            items.Add(interpreted);
        }
        return items;
    }
}
