using Microsoft.Extensions.Configuration;
using SeplosConsole.Mqtt;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>TLS against a mosquitto with certificates made by openssl: verified, or refused with the reason, never plain text.</summary>
public sealed class MqttTlsTests(ITestOutputHelper output)
{
    private static IEnumerable<string> TlsListener(string ca, string certificate, string key, bool requireClientCertificate = false)
        => [$"cafile {ca}", $"certfile {certificate}", $"keyfile {key}", $"require_certificate {(requireClientCertificate ? "true" : "false")}"];

    [Fact]
    public async Task Connects_over_tls_to_a_broker_signed_by_the_named_ca()
    {
        using var certificates = await TestCertificates.CreateAsync();
        await using var broker = await MosquittoBroker.StartAsync(listenerOptions: TlsListener(certificates.Ca, certificates.Server, certificates.ServerKey));
        var options = RunningBridge.Options(broker) with { Tls = true, CaFile = certificates.Ca, ClientId = "tls-bridge" };
        await using var bridge = new RunningBridge(options, new FakePackFeed(TestPacks.Status(0)), output: output);

        await bridge.WaitUntilAsync(() => bridge.Bridge.Status.State == MqttConnectionState.Connected, "connected");
        await broker.WaitForLogAsync(l => l.Contains("tls-bridge", StringComparison.Ordinal) && l.Contains("Received PUBLISH", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Presents_the_client_certificate_when_the_broker_asks_for_one()
    {
        using var certificates = await TestCertificates.CreateAsync();
        await using var broker = await MosquittoBroker.StartAsync(listenerOptions: TlsListener(certificates.Ca, certificates.Server, certificates.ServerKey, requireClientCertificate: true));
        var options = RunningBridge.Options(broker) with { Tls = true, CaFile = certificates.Ca, CertFile = certificates.Client, KeyFile = certificates.ClientKey };
        await using var bridge = new RunningBridge(options, new FakePackFeed(TestPacks.Status(0)), output: output);
        await bridge.WaitUntilAsync(() => bridge.Bridge.Status.State == MqttConnectionState.Connected, "connected with a client certificate");
    }

    [Fact]
    public async Task A_broker_certificate_from_another_ca_is_refused_with_the_reason()
    {
        using var certificates = await TestCertificates.CreateAsync();
        await using var broker = await MosquittoBroker.StartAsync(listenerOptions: TlsListener(certificates.Ca, certificates.Server, certificates.ServerKey));
        var options = RunningBridge.Options(broker) with { Tls = true, CaFile = certificates.WrongCa };
        await using var bridge = new RunningBridge(options, new FakePackFeed(TestPacks.Status(0)), output: output);

        await bridge.WaitUntilAsync(() => bridge.Log.Any(l => l.Contains("does not verify", StringComparison.Ordinal)), "a refusal");
        var line = bridge.Log.First(l => l.Contains("does not verify", StringComparison.Ordinal));
        Assert.Contains("not signed by the CA in ca_file", line, StringComparison.Ordinal);
        Assert.Contains("never without TLS", line, StringComparison.Ordinal);
        Assert.NotEqual(MqttConnectionState.Connected, bridge.Bridge.Status.State);
        Assert.DoesNotContain(bridge.States, s => s.State == MqttConnectionState.Connected);
    }

    [Fact]
    public async Task An_expired_broker_certificate_is_refused_with_the_reason()
    {
        using var certificates = await TestCertificates.CreateAsync();
        await using var broker = await MosquittoBroker.StartAsync(listenerOptions: TlsListener(certificates.Ca, certificates.ExpiredServer, certificates.ServerKey));
        var options = RunningBridge.Options(broker) with { Tls = true, CaFile = certificates.Ca };
        await using var bridge = new RunningBridge(options, new FakePackFeed(TestPacks.Status(0)), output: output);

        await bridge.WaitUntilAsync(() => bridge.Log.Any(l => l.Contains("does not verify", StringComparison.Ordinal)), "a refusal");
        Assert.Contains(bridge.Log, l => l.Contains("expired", StringComparison.Ordinal));
        Assert.DoesNotContain(bridge.States, s => s.State == MqttConnectionState.Connected);
    }

    [Fact]
    public async Task Without_tls_against_a_tls_broker_nothing_is_sent_in_plain_text_that_works()
    {
        // The opposite direction: a plain client to a TLS port fails with a line, it does not "work".
        using var certificates = await TestCertificates.CreateAsync();
        await using var broker = await MosquittoBroker.StartAsync(listenerOptions: TlsListener(certificates.Ca, certificates.Server, certificates.ServerKey));
        await using var bridge = new RunningBridge(RunningBridge.Options(broker), new FakePackFeed(TestPacks.Status(0)), output: output);
        await bridge.WaitUntilAsync(() => bridge.Log.Any(l => l.StartsWith("Error: MQTT:", StringComparison.Ordinal)), "a connection error");
        Assert.DoesNotContain(bridge.States, s => s.State == MqttConnectionState.Connected);
    }

    [Fact]
    public void Certificate_settings_without_tls_or_unreadable_files_are_errors()
    {
        var (_, errors) = MqttSettings.Read(new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create<string, string?>("mqtt:server", "b"), KeyValuePair.Create<string, string?>("mqtt:ca_file", "/etc/ca.pem")]).Build());
        Assert.Equal(["[mqtt] ca_file is set but tls is off: set tls = true (the broker's TLS port, usually 8883)"], errors);

        var missing = Assert.Throws<MqttTlsSettingsException>(() => MqttTls.From(new MqttOptions { Server = "b", Tls = true, CaFile = "/nonexistent/ca.pem" }));
        Assert.StartsWith("[mqtt] ca_file = /nonexistent/ca.pem: cannot read", missing.Message, StringComparison.Ordinal);
    }
}
