using SeplosConsole.Cli;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C asks the command to stop cleanly; the process ends when it has. A second one
    // ends it at once, should a clean stop hang.
    if (stop.IsCancellationRequested)
    {
        return;
    }
    e.Cancel = true;
    stop.Cancel();
};
// systemd stops services with SIGTERM; a closed terminal or dropped SSH session sends SIGHUP.
// Either way the bus is released and MQTT says "offline" before the process ends.
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
using var sighup = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGHUP, Stop);

return await SeplosCli.RunAsync(args, CliContext.FromConsole(), stop.Token).ConfigureAwait(false);

void Stop(System.Runtime.InteropServices.PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
