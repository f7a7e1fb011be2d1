using System.Net;
using System.Threading.Channels;

namespace SeplosConsole.Tests.Metrics;

/// <summary>An OTLP/HTTP collector on loopback that answers each POST with one status and hands it to the test.</summary>
internal sealed class FakeCollector : IAsyncDisposable
{
    private readonly HttpListener _http = new();
    private readonly Channel<(string Path, string? ContentType, byte[] Body)> _posts = Channel.CreateUnbounded<(string, string?, byte[])>();
    private readonly Task _serving;

    private readonly HttpStatusCode _answer;

    private FakeCollector(int port, HttpStatusCode answer)
    {
        _answer = answer;
        MetricsUrl = new Uri($"http://127.0.0.1:{port}/v1/metrics");
        _http.Prefixes.Add($"http://127.0.0.1:{port}/");
        _http.Start();
        _serving = Task.Run(ServeAsync);
    }

    public Uri MetricsUrl { get; }

    public ChannelReader<(string Path, string? ContentType, byte[] Body)> Posts => _posts.Reader;

    public static FakeCollector Start(HttpStatusCode answer = HttpStatusCode.OK) => new(PrometheusExportTests.FreePort(), answer);

    private async Task ServeAsync()
    {
        while (_http.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _http.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            context.Response.StatusCode = (int)_answer;
            context.Response.Close();
            _posts.Writer.TryWrite((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Stop();
        await _serving;
        _http.Close();
    }
}
