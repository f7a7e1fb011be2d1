namespace SeplosConsole.Rtu;

public sealed record RtuClientOptions
{
    /// <summary>How long to wait for a complete reply to one attempt.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Extra attempts after a timeout, CRC error or mismatched reply.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>
    /// Silence kept between the end of one exchange and the next request, so a slow pack or
    /// adapter is not talked over: Modbus asks for 3.5 characters, 1.82 ms at 19200 baud, rounded
    /// up. It is counted from when the reply was received, which is already after its last byte
    /// left the wire (USB adapters add 1–16 ms, platform notes).
    /// </summary>
    public TimeSpan InterRequestGap { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// After the link opens, or when bytes trailed a reply, the line is read until it has been
    /// quiet this long before the next request: an answer meant for someone else (a program that
    /// had the port before us, a request of ours that was answered twice) must not be taken for ours.
    /// 150 ms covers the longest Modbus reply (256 bytes ≈ 133 ms at 19200 baud) plus a turnaround.
    /// </summary>
    public TimeSpan SettleQuiet { get; init; } = TimeSpan.FromMilliseconds(150);
}
