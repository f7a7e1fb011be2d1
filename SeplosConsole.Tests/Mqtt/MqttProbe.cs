using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>A test client subscribed to everything; tests await the messages they expect.</summary>
internal sealed class MqttProbe : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly IMqttClient _client;
    private readonly List<ProbeMessage> _messages = [];
    private readonly List<(Func<ProbeMessage, bool> Match, TaskCompletionSource<ProbeMessage> Done)> _waiters = [];

    private MqttProbe(IMqttClient client) => _client = client;

    public static async Task<MqttProbe> ConnectAsync(MosquittoBroker broker, string filter = "#", string? user = null, string? password = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var probe = new MqttProbe(client);
        client.ApplicationMessageReceivedAsync += e =>
        {
            probe.Add(e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString() ?? "", e.ApplicationMessage.Retain);
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithClientId("probe-" + Guid.NewGuid().ToString("N")[..8])
            .WithTimeout(TimeSpan.FromSeconds(5));
        if (user is not null)
        {
            options = options.WithCredentials(user, password);
        }
        var result = await client.ConnectAsync(options.Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        await client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        return probe;
    }

    /// <summary>Index the next message will get: "after this point".</summary>
    public int Mark
    {
        get
        {
            lock (_messages)
            {
                return _messages.Count;
            }
        }
    }

    public IReadOnlyList<ProbeMessage> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public Task<ProbeMessage> WaitForAsync(string topic, string? payload = null, int after = 0, TimeSpan? timeout = null)
        => WaitForAsync(m => m.Topic == topic && (payload is null || m.Payload == payload), $"{topic} = {payload ?? "(any)"}", after, timeout);

    public async Task<ProbeMessage> WaitForAsync(Func<ProbeMessage, bool> match, string what, int after = 0, TimeSpan? timeout = null)
    {
        var done = new TaskCompletionSource<ProbeMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool Matches(ProbeMessage m) => m.Index >= after && match(m);
        lock (_messages)
        {
            if (_messages.FirstOrDefault(Matches) is { } already)
            {
                return already;
            }
            _waiters.Add((Matches, done));
        }
        try
        {
            return await done.Task.WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException)
        {
            var recent = string.Join("\n", Messages.TakeLast(15).Select(m => $"  #{m.Index} {m.Topic} = {Short(m.Payload)}"));
            throw new TimeoutException($"No message {what} after #{after} within {(timeout ?? DefaultTimeout).TotalSeconds} s. Last received:\n{recent}");
        }
        finally
        {
            lock (_messages)
            {
                _waiters.RemoveAll(w => w.Done == done);
            }
        }
    }

    public static JsonObject Json(ProbeMessage message) => JsonNode.Parse(message.Payload)!.AsObject();

    public Task PublishAsync(string topic, string payload, bool retain = false)
        => _client.PublishStringAsync(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain);

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }
        _client.Dispose();
    }

    private void Add(string topic, string payload, bool retain)
    {
        List<TaskCompletionSource<ProbeMessage>> satisfied;
        lock (_messages)
        {
            var message = new ProbeMessage(_messages.Count, topic, payload, retain);
            _messages.Add(message);
            satisfied = [.. _waiters.Where(w => w.Match(message)).Select(w => w.Done)];
            foreach (var done in satisfied)
            {
                done.TrySetResult(message);
            }
        }
    }

    private static string Short(string payload) => payload.Length > 80 ? payload[..80] + "…" : payload;
}

internal sealed record ProbeMessage(int Index, string Topic, string Payload, bool Retain);
