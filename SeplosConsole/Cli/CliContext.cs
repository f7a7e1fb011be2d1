namespace SeplosConsole.Cli;

/// <summary>
/// What a command may use of the outside world: its text streams, whether a person is at a
/// terminal, and the folder config files are read from. Tests pass their own.
/// <see cref="ErrorIsTerminal"/>: stderr is a terminal, so progress bars may redraw a line there.
/// </summary>
public sealed record CliContext(TextWriter Output, TextWriter Error, TextReader Input, bool IsInteractive, string Directory, bool ErrorIsTerminal = false)
{
    public static CliContext FromConsole() => new(
        Console.Out,
        Console.Error,
        Console.In,
        !Console.IsInputRedirected && !Console.IsOutputRedirected,
        Environment.CurrentDirectory,
        !Console.IsErrorRedirected);
}

/// <summary>A failure the user can act on: printed as one line, exit code 1, no stack trace.</summary>
public sealed class CliException(string message) : Exception(message);
