using SeplosConsole.Hosting;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Hosting;

public sealed class SystemdNotifierTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables)
        => name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Without_NOTIFY_SOCKET_there_is_no_notifier()
    {
        Assert.Null(SystemdNotifier.FromEnvironment(Environment()));
        Assert.Null(SystemdNotifier.FromEnvironment(Environment(("NOTIFY_SOCKET", ""))));
    }

    [Fact]
    public async Task Notify_sends_one_datagram_to_a_socket_file()
    {
        await using var socket = NotifySocket.AtPath();
        using var notifier = SystemdNotifier.FromEnvironment(Environment(("NOTIFY_SOCKET", socket.Address)))!;

        Assert.Null(notifier.Notify("READY=1"));
        Assert.Null(notifier.Notify("STATUS=MQTT connected to broker:1883"));

        await socket.WaitForAsync("STATUS=MQTT connected to broker:1883");
        Assert.Equal(["READY=1", "STATUS=MQTT connected to broker:1883"], socket.Messages);
    }

    [Fact]
    public async Task Notify_reaches_an_abstract_socket_named_with_an_at_sign()
    {
        await using var socket = NotifySocket.Abstract();
        using var notifier = SystemdNotifier.FromEnvironment(Environment(("NOTIFY_SOCKET", socket.Address)))!;

        Assert.Null(notifier.Notify("WATCHDOG=1"));

        await socket.WaitForAsync("WATCHDOG=1");
    }

    [Fact]
    public void A_socket_nobody_listens_on_is_reported_not_thrown()
    {
        var missing = Path.Combine(TempDirectory.Create(), "gone");
        using var notifier = SystemdNotifier.FromEnvironment(Environment(("NOTIFY_SOCKET", missing)))!;

        var error = notifier.Notify("READY=1");

        Assert.NotNull(error);
        Assert.StartsWith($"sd_notify to {missing} failed: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_or_vsock_NOTIFY_SOCKET_is_refused_with_a_clear_message()
    {
        var ex = Assert.Throws<ArgumentException>(() => SystemdNotifier.FromEnvironment(Environment(("NOTIFY_SOCKET", "vsock:2:1234"))));

        Assert.Contains("NOTIFY_SOCKET=vsock:2:1234", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_watchdog_interval_comes_from_WATCHDOG_USEC_for_this_process_only()
    {
        var socket = ("NOTIFY_SOCKET", "/run/systemd/notify");

        using var mine = SystemdNotifier.FromEnvironment(Environment(socket, ("WATCHDOG_USEC", "30000000"), ("WATCHDOG_PID", "4242")), processId: 4242)!;
        using var anyPid = SystemdNotifier.FromEnvironment(Environment(socket, ("WATCHDOG_USEC", "2500000")), processId: 4242)!;
        using var inherited = SystemdNotifier.FromEnvironment(Environment(socket, ("WATCHDOG_USEC", "30000000"), ("WATCHDOG_PID", "1")), processId: 4242)!;
        using var none = SystemdNotifier.FromEnvironment(Environment(socket), processId: 4242)!;
        using var garbage = SystemdNotifier.FromEnvironment(Environment(socket, ("WATCHDOG_USEC", "-5")), processId: 4242)!;

        Assert.Equal(TimeSpan.FromSeconds(30), mine.WatchdogInterval);
        Assert.Equal(TimeSpan.FromSeconds(2.5), anyPid.WatchdogInterval);
        Assert.Null(inherited.WatchdogInterval);
        Assert.Null(none.WatchdogInterval);
        Assert.Null(garbage.WatchdogInterval);
    }
}
