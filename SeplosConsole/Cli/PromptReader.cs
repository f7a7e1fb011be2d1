namespace SeplosConsole.Cli;

/// <summary>
/// Reads a confirmation line so that cancellation is observed while waiting. Console.In's
/// ReadLineAsync(CancellationToken) checks the token only before it starts and then blocks in
/// read(2): Ctrl+C and SIGTERM at the "Type yes" prompt were ignored, and a "yes" typed afterwards
/// still wrote (issue 10). Here the read runs on a thread of its own and the caller stops waiting
/// the moment the token is cancelled; the abandoned read ends with the process.
/// </summary>
public static class PromptReader
{
    /// <summary>The next line, or null at the end of input.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public static Task<string?> ReadLineAsync(TextReader input, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var read = Task.Factory.StartNew(input.ReadLine, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return read.WaitAsync(cancellationToken);
    }
}
