using System.Net.Sockets;
using System.Security.Authentication;
using MQTTnet.Exceptions;
using SeplosConsole.Mqtt;

namespace SeplosConsole.Tests.Mqtt;

public sealed class MqttConnectionErrorsTests
{
    private static readonly MqttOptions Options = new() { Server = "broker.lan", Port = 8883, User = "ha", Password = "s3cret", Tls = true };

    [Theory]
    [InlineData(SocketError.ConnectionRefused, "connection refused by broker.lan:8883")]
    [InlineData(SocketError.HostNotFound, "unknown host 'broker.lan'")]
    [InlineData(SocketError.TryAgain, "unknown host 'broker.lan'")]
    [InlineData(SocketError.NetworkUnreachable, "broker.lan:8883 is unreachable")]
    public void Socket_failures_read_clearly(SocketError error, string expected)
    {
        var message = MqttConnectionErrors.Describe(new MqttCommunicationException("connect failed", new SocketException((int)error)), Options);
        Assert.StartsWith(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_failures_say_tls()
        => Assert.StartsWith("TLS handshake with broker.lan:8883 failed",
            MqttConnectionErrors.Describe(new MqttCommunicationException("x", new AuthenticationException("remote certificate is invalid")), Options), StringComparison.Ordinal);

    [Fact]
    public void Time_outs_say_how_long()
        => Assert.Equal("no answer from broker.lan:8883 within 10 s", MqttConnectionErrors.Describe(new OperationCanceledException(), Options));
}
