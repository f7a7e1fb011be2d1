using System.Collections.Concurrent;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Writes;

/// <summary>One write attempt as the journal keeps it (one JSON object per line, snake_case names).</summary>
public sealed record WriteJournalEntry
{
    public required DateTimeOffset Time { get; init; }
    public required string Source { get; init; }
    public required string Port { get; init; }
    public required int Address { get; init; }
    public string? BmsSerial { get; init; }
    /// <summary>The resolved key, or what was typed when it did not resolve.</summary>
    public required string Key { get; init; }
    /// <summary>The value as typed, so a refused "abc" is on record too.</summary>
    public required string Requested { get; init; }
    /// <summary>"0x1307", when the key resolved.</summary>
    public string? Register { get; init; }
    public long? OldRaw { get; init; }
    public double? OldValue { get; init; }
    public long? NewRaw { get; init; }
    public double? NewValue { get; init; }
    /// <summary>What the pack held after the write, when the read-back differed.</summary>
    public long? HeldRaw { get; init; }
    public string? Unit { get; init; }
    /// <summary>sending (written before the register is), then one of confirmed, not_confirmed, refused, failed, no_change, cancelled.</summary>
    public required string Result { get; init; }
    /// <summary>Why, in the words shown to the person (without the result word in front).</summary>
    public required string Reason { get; init; }
    /// <summary>A remote edit's request id: the same on the dashboard's line and the bridge's (docs/mqtt.md, "Remote edits").</summary>
    public string? RequestId { get; init; }

    /// <summary>The line for one attempt of <paramref name="request"/>, with the field and plan as far as it got.</summary>
    public static WriteJournalEntry For(DateTimeOffset time, string port, int address, string? bmsSerial, ParameterWriteRequest request,
        FieldDefinition? field, WritePlan? plan, string result, string reason, long? heldRaw = null) => new()
    {
        Time = time,
        Source = request.Source,
        Port = port,
        Address = address,
        BmsSerial = bmsSerial,
        Key = field?.Key ?? InputEcho.Shorten(request.Key.Trim()),
        // A long value is kept once, shortened: the reason quotes it shortened too.
        Requested = InputEcho.Shorten(request.Value),
        Register = field is null ? null : $"0x{field.Address:X4}",
        OldRaw = plan?.OldRaw,
        OldValue = plan?.OldValue,
        NewRaw = plan?.NewRaw,
        NewValue = plan?.NewValue,
        HeldRaw = heldRaw,
        Unit = field?.Unit,
        Result = result,
        Reason = reason,
        RequestId = request.RequestId,
    };
}

/// <summary>
/// Append-only record of every write attempt (refused and failed ones too), JSON lines in the
/// user's state directory. Appends from several threads or writers never interleave or lose a
/// line: each line is written with one append call under a per-file lock and flushed to disk.
/// </summary>
public sealed class WriteJournal
{
    private static readonly ConcurrentDictionary<string, Lock> Locks = new(StringComparer.Ordinal);

    // The generated context's options plus an encoder that keeps °, → and other non-ASCII text
    // readable in the file (the default one writes \u00B0; the context's attribute cannot set one).
    private static readonly JsonTypeInfo<WriteJournalEntry> EntryJson = new WriteJournalJsonContext(
        new JsonSerializerOptions(WriteJournalJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).WriteJournalEntry;

    private readonly Lock _lock;

    public WriteJournal(string? path = null)
    {
        Path = System.IO.Path.GetFullPath(path ?? DefaultPath());
        _lock = Locks.GetOrAdd(Path, _ => new Lock());
    }

    public string Path { get; }

    /// <summary>$XDG_STATE_HOME/seplos/journal.jsonl, else ~/.local/state/seplos/journal.jsonl (XDG base directory spec).</summary>
    public static string DefaultPath()
    {
        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state) || !System.IO.Path.IsPathRooted(state))
        {
            state = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        }
        return System.IO.Path.Combine(state, "seplos", "journal.jsonl");
    }

    /// <summary>The result of the line written before the register is: the outcome line follows it.</summary>
    public const string SendingResult = "sending";

    /// <summary>Why the journal cannot be written, or null when it can (the folder is made if missing).</summary>
    public string? CheckWritable()
    {
        try
        {
            lock (_lock)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            }
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Explain(ex, Path);
        }
    }

    /// <summary>One line on why <paramref name="path"/> could not be used, naming a directory as one.</summary>
    public static string Explain(Exception ex, string path) => Directory.Exists(path)
        ? $"{path} is a directory, not a file"
        : ex is UnauthorizedAccessException ? $"permission denied on {path}" : ex.Message;

    /// <summary>Appends; null when the line is on disk, else why it is not (for the person, not an exception).</summary>
    public string? TryAppend(WriteJournalEntry entry)
    {
        try
        {
            Append(entry);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Explain(ex, Path);
        }
    }

    public void Append(WriteJournalEntry entry)
    {
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, EntryJson) + "\n");
        lock (_lock)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            // FileMode.Append opens with O_APPEND: another process appending at the same time
            // cannot overwrite this line either.
            using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            stream.Write(line);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>All entries, oldest first. A line that does not parse (a torn write after a crash) is skipped, not fatal.</summary>
    public IReadOnlyList<WriteJournalEntry> Read() => ReadAll().Entries;

    /// <summary>
    /// All entries, oldest first, and the numbers (1-based) of the lines that did not parse (a torn
    /// write after a crash): those are skipped, not fatal, but reported so nothing is hidden.
    /// </summary>
    public WriteJournalContents ReadAll()
    {
        if (!File.Exists(Path))
        {
            return new([], []);
        }
        var entries = new List<WriteJournalEntry>();
        var corrupt = new List<int>();
        lock (_lock)
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var number = 0;
            while (reader.ReadLine() is { } line)
            {
                number++;
                if (line.Length == 0)
                {
                    continue;
                }
                try
                {
                    if (JsonSerializer.Deserialize(line, EntryJson) is { } entry)
                    {
                        entries.Add(entry);
                        continue;
                    }
                }
                catch (JsonException)
                {
                    // Counted below; see the summary.
                }
                corrupt.Add(number);
            }
        }
        return new(entries, corrupt);
    }

    /// <summary>The journal's name for a result: confirmed, not_confirmed, refused, failed, no_change, cancelled.</summary>
    public static string ResultName(WriteResult result) => JsonNamingPolicy.SnakeCaseLower.ConvertName(result.ToString());
}

/// <summary>What <see cref="WriteJournal.ReadAll"/> found: the entries and the line numbers it skipped.</summary>
public sealed record WriteJournalContents(IReadOnlyList<WriteJournalEntry> Entries, IReadOnlyList<int> CorruptLines);

/// <summary>
/// The journal's JSON, generated at compile time: no reflection, so it works in the trimmed native
/// program. snake_case names, nulls left out.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WriteJournalEntry))]
internal sealed partial class WriteJournalJsonContext : JsonSerializerContext;
