using System.CommandLine;
using System.CommandLine.Invocation;
using SeplosConsole.Hosting;

namespace SeplosConsole.Cli;

/// <summary>
/// <c>seplos --version</c>: the release's version, commit and build date (<see cref="BuildInfo"/>)
/// instead of System.CommandLine's default, which prints the assembly's informational version
/// ("1.0.0+sha" for every local build alike).
/// </summary>
public static class VersionCommand
{
    public static void AttachTo(RootCommand root, CliContext context)
    {
        foreach (var option in root.Options.OfType<VersionOption>())
        {
            option.Action = new PrintVersion(context);
        }
    }

    private sealed class PrintVersion(CliContext context) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            context.Output.WriteLine(BuildInfo.Current.ToString());
            return SeplosCli.Ok;
        }
    }
}
