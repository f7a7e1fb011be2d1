using System.Net.Sockets;
using System.Security.Authentication;
using MQTTnet;
using MQTTnet.Exceptions;

namespace SeplosConsole.Mqtt;

/// <summary>One clear sentence for each way a connection can fail; the password never appears.</summary>
internal static class MqttConnectionErrors
{
    public static string Refused(MqttClientConnectResult result, MqttOptions options) => result.ResultCode switch
    {
        MqttClientConnectResultCode.BadUserNameOrPassword or MqttClientConnectResultCode.NotAuthorized =>
            $"broker {Where(options)} refused the login{(options.User is { Length: > 0 } user ? $" of user '{user}'" : " (no user set)")} ({result.ResultCode}): check [mqtt] user and pass",
        MqttClientConnectResultCode.ClientIdentifierNotValid =>
            $"broker {Where(options)} rejected client id '{options.ClientId}'",
        MqttClientConnectResultCode.Banned =>
            $"broker {Where(options)} has banned this client",
        _ => $"broker {Where(options)} refused the connection ({result.ResultCode}{(string.IsNullOrEmpty(result.ReasonString) ? "" : ": " + result.ReasonString)})",
    };

    public static string Describe(Exception exception, MqttOptions options)
    {
        if (Find<AuthenticationException>(exception) is { } tls)
        {
            return $"TLS handshake with {Where(options)} failed: {tls.Message}";
        }
        if (Find<SocketException>(exception) is { } socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"connection refused by {Where(options)}: is the broker running and listening on port {options.Port}?",
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => $"unknown host '{options.Server}'",
                SocketError.TimedOut => $"no answer from {Where(options)} (timed out)",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => $"{Where(options)} is unreachable ({socket.SocketErrorCode})",
                SocketError.ConnectionReset => $"{Where(options)} reset the connection{(options.Tls ? "" : " (does the broker expect TLS?)")}",
                _ => $"cannot reach {Where(options)}: {socket.Message}",
            };
        }
        if (exception is OperationCanceledException or TimeoutException or MqttCommunicationTimedOutException)
        {
            return $"no answer from {Where(options)} within {options.ConnectTimeout.TotalSeconds:0.#} s";
        }
        if (exception is MqttCommunicationException && exception.InnerException is { } inner)
        {
            return $"cannot connect to {Where(options)}: {inner.Message}";
        }
        return $"cannot connect to {Where(options)}: {exception.Message}";
    }

    public static string Where(MqttOptions options) => $"{options.Server}:{options.Port}";

    private static T? Find<T>(Exception exception) where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(x => x is not null) is { } nested)
            {
                return nested;
            }
        }
        return null;
    }
}
