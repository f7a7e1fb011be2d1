using System.Diagnostics;

namespace SeplosConsole.Tests.Support;

/// <summary>
/// The real program as a process of its own: the managed build beside the tests (run by
/// <c>dotnet seplos.dll</c>) or a native executable (a Native AOT publish).
/// </summary>
public sealed class SeplosProgram
{
    private readonly string _fileName;
    private readonly string[] _leadingArguments;

    private SeplosProgram(string fileName, string[] leadingArguments)
    {
        _fileName = fileName;
        _leadingArguments = leadingArguments;
    }

    /// <summary>The build the test project references, run by the dotnet host.</summary>
    public static SeplosProgram Managed { get; } = new("dotnet", [Path.Combine(AppContext.BaseDirectory, "seplos.dll")]);

    public static SeplosProgram Native(string executable) => new(executable, []);

    /// <summary>The program, quoted for a POSIX shell, for a command line that goes on with its arguments.</summary>
    public string ShellCommand => string.Join(' ', new[] { _fileName }.Concat(_leadingArguments).Select(ShellQuote));

    public override string ToString() => string.Join(' ', new[] { _fileName }.Concat(_leadingArguments));

    /// <summary>How to start it with <paramref name="arguments"/> in <paramref name="directory"/>, every stream redirected.</summary>
    public ProcessStartInfo StartInfo(IEnumerable<string> arguments, string directory)
    {
        var start = new ProcessStartInfo(_fileName)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in _leadingArguments.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        // The test host sets it for the headless dashboard tests; a real program must not inherit it.
        start.Environment.Remove("DisableRealDriverIO");
        return start;
    }

    private static string ShellQuote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
