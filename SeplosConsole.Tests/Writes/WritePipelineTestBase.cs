using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Writes;

namespace SeplosConsole.Tests.Writes;

/// <summary>A fresh fake pack, client, journal (in a temporary folder) and writer for each test.</summary>
public abstract class WritePipelineTestBase : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "seplos-writes-" + Guid.NewGuid().ToString("N"));

    protected WritePipelineTestBase()
    {
        Pack = new FakeSpaPack();
        // No retries: a retried write would hide how many requests reached the pack. A short
        // timeout keeps the no-reply case quick; it is the client's wait, not a sleep.
        var rtu = new RtuClient(Pack, new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(100), Retries = 0, InterRequestGap = TimeSpan.Zero });
        Client = new SeplosClient(rtu);
        Journal = new WriteJournal(Path.Combine(_folder, "journal.jsonl"));
        Writer = new ParameterWriter(Client, FakeSpaPack.PackAddress, Journal, bmsSerial: "TEST-SERIAL");
    }

    protected FakeSpaPack Pack { get; }
    protected SeplosClient Client { get; }
    protected WriteJournal Journal { get; }
    protected ParameterWriter Writer { get; }

    protected Task<WriteOutcome> Write(string key, string value, bool force = false, IConfirmation? confirmation = null)
        => Writer.ExecuteAsync(new ParameterWriteRequest(key, value, force, "test"), confirmation ?? Confirmations.Automatic, CancellationToken.None);

    protected Task<WriteValidation> Prepare(string key, string value, bool force = false)
        => Writer.PrepareAsync(new ParameterWriteRequest(key, value, force, "test"), CancellationToken.None);

    protected async Task<SpaValues> ReadPack()
        => SpaValues.From(await Client.ReadBlockAsync(FakeSpaPack.PackAddress, BlockId.Spa, CancellationToken.None));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
        GC.SuppressFinalize(this);
    }
}
