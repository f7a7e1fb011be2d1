using System.Globalization;
using System.IO.Compression;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Recording;

/// <summary>
/// <c>[record] path = DIR/NAME.rec</c>: one file per local day, <c>DIR/NAME-2026-12-01.rec</c>,
/// each day's file gzipped (<c>….rec.gz</c>) once the next day has begun, and at start for days
/// a stopped program left behind. Compression runs in the background and is awaited on dispose.
/// Not thread-safe: one recorder owns it.
/// </summary>
public sealed class DailyRecording : IRecordingSink
{
    private readonly string _directory;
    private readonly string _stem;
    private readonly Action<BusEventLevel, string> _log;
    private readonly List<Task> _compressing = [];
    private RecordingWriter? _writer;
    private DateOnly _day;
    private long _bytesBefore;

    public DailyRecording(string path, Action<BusEventLevel, string> log, DateTimeOffset now)
    {
        var full = Path.GetFullPath(path);
        _directory = Path.GetDirectoryName(full) ?? ".";
        _stem = Path.GetFileNameWithoutExtension(full);
        _log = log;
        Directory.CreateDirectory(_directory);
        var today = DateOnly.FromDateTime(now.LocalDateTime);
        foreach (var left in Directory.EnumerateFiles(_directory, $"{_stem}-????-??-??{RecordingFormat.Extension}"))
        {
            if (DayOf(left) is { } day && day < today)
            {
                Compress(left);
            }
        }
    }

    public long BytesWritten => _bytesBefore + (_writer?.BytesWritten ?? 0);

    /// <summary>The file of a day.</summary>
    public string PathFor(DateOnly day)
        => Path.Combine(_directory, $"{_stem}-{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}{RecordingFormat.Extension}");

    public void Write(byte address, IReadOnlyList<BlockReading> blocks)
    {
        var day = DateOnly.FromDateTime(blocks[0].ReadAt.LocalDateTime);
        if (_writer is null || day != _day)
        {
            var finished = _writer is null ? null : PathFor(_day);
            if (_writer is not null)
            {
                _bytesBefore += _writer.BytesWritten;
                _writer.Dispose();
            }
            _writer = RecordingWriter.Append(PathFor(day));
            _day = day;
            if (finished is not null && day > DayOf(finished))
            {
                Compress(finished);
            }
        }
        _writer.Write(address, blocks);
    }

    private DateOnly? DayOf(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        return name.Length == _stem.Length + 11
            && DateOnly.TryParseExact(name[(_stem.Length + 1)..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : null;
    }

    private void Compress(string file)
        => _compressing.Add(Task.Run(async () =>
        {
            var target = file + ".gz";
            var temporary = target + ".tmp";
            try
            {
                {
                    var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 65536, useAsync: true);
                    await using var sourceScope = source.ConfigureAwait(false);
                    var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 65536, useAsync: true);
                    await using var outputScope = output.ConfigureAwait(false);
                    var gzip = new GZipStream(output, CompressionLevel.SmallestSize);
                    await using var gzipScope = gzip.ConfigureAwait(false);
                    await source.CopyToAsync(gzip).ConfigureAwait(false);
                }
                // Renamed only when whole: a crash while compressing leaves the .rec as it was.
                File.Move(temporary, target, overwrite: true);
                File.Delete(file);
            }
            catch (IOException ex)
            {
                _log(BusEventLevel.Warning, $"could not compress {file}: {ex.Message}");
            }
        }));

    /// <summary>Waits for compressions still running.</summary>
    public Task CompressionsAsync() => Task.WhenAll(_compressing);

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }
        // The program should not end with a half-written .tmp (a day compresses in well under a second).
        await Task.WhenAll(_compressing).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }
}
