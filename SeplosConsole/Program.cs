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

// The last resort: anything unforeseen, on any thread, becomes one line and its own exit code,
// never a stack trace or SIGABRT (exit 134). SeplosCli.RunAsync already does this for commands.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    Console.Error.WriteLine(SeplosCli.InternalErrorLine(e.ExceptionObject as Exception ?? new InvalidOperationException(e.ExceptionObject?.ToString())));
    Environment.Exit(SeplosCli.InternalError);
};
try
{
    return await SeplosCli.RunAsync(args, CliContext.FromConsole(), stop.Token).ConfigureAwait(false);
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync(SeplosCli.InternalErrorLine(ex)).ConfigureAwait(false);
    return SeplosCli.InternalError;
}

void Stop(System.Runtime.InteropServices.PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
