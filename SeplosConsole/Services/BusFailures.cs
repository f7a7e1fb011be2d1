using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Transport;

namespace SeplosConsole.Services;

/// <summary>
/// The one sentence a user reads for a failure on the bus, with what to check. The CLI prints it on
/// stderr; the poller puts it in the pack's status, which the dashboard shows in its log and status
/// line, so both say the same thing ("does not exist (is the adapter plugged in? …)").
/// </summary>
public static class BusFailures
{
    /// <param name="port">The link's name, for messages that do not carry it.</param>
    /// <param name="tries">How many times a request is sent before it counts as unanswered.</param>
    /// <returns>Null for an exception that is not a bus failure (a bug).</returns>
    public static string? Describe(Exception ex, string port, int tries) => ex switch
    {
        TransportException => ex.Message,
        RtuTimeoutException timeout => $"{timeout.Message} on {port} after {tries} tries; "
            + "check the wiring (RS485 A/B, not the CAN port), the pack address (DIP switches) and the baud rate",
        RtuCrcException crc => $"{crc.Message}; check the wiring, termination and baud rate",
        RtuMismatchException or PackRefusedException => ex.Message,
        _ => null,
    };
}
