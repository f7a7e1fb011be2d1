using System.CommandLine;
using SeplosConsole.Config;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Transport;

namespace SeplosConsole.Cli;

/// <summary>
/// The command line. Exit codes: 0 ok, 1 failure (one clear line on stderr), 2 usage, 3 partial
/// (a pack answered, but some of what was asked is missing; the rest is printed and the gap named),
/// 70 internal error (a bug: one line naming it, never a stack trace; EX_SOFTWARE of sysexits.h).
/// Output goes through <see cref="CliContext"/> so tests read it.
/// </summary>
public static class SeplosCli
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int Partial = 3;
    /// <summary>Something this program did not foresee: a bug to report, distinct from every expected failure.</summary>
    public const int InternalError = 70;

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        var global = new GlobalOptions();
        var root = BuildRoot(context, global);
        var parse = root.Parse(OriginalFlags.Rewrite(args));
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await context.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }
            await context.Error.WriteLineAsync("Try 'seplos --help'.").ConfigureAwait(false);
            return Usage;
        }
        try
        {
            var configuration = new InvocationConfiguration
            {
                Output = context.Output,
                Error = context.Error,
                // We turn expected failures into one line ourselves; anything else is a bug worth a trace.
                EnableDefaultExceptionHandler = false,
            };
            return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            await context.Error.WriteLineAsync("Try 'seplos --help'.").ConfigureAwait(false);
            return Usage;
        }
        catch (Exception ex) when (Describe(ex, global.Resolved) is { } message)
        {
            await context.Error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
            return Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Failure;
        }
        catch (Exception ex)
        {
            await context.Error.WriteLineAsync(InternalErrorLine(ex)).ConfigureAwait(false);
            return InternalError;
        }
    }

    /// <summary>The one line for an exception nobody foresaw: what it was and where, without the trace.</summary>
    public static string InternalErrorLine(Exception ex)
    {
        return $"internal error: {ex.GetType().Name}: {InputEcho.Shorten(ex.Message.ReplaceLineEndings(" "))}; "
            + $"this is a bug, please report it (exit code {InternalError})";
    }

    private static RootCommand BuildRoot(CliContext context, GlobalOptions global)
    {
        var root = new RootCommand("SeplosConsole: watch, script and configure Seplos V3 battery packs over RS485 (Modbus RTU).\n"
            + "Exit codes: 0 ok, 1 failure, 2 usage, 3 partial (some of what was asked is missing; the rest is printed and the gap named).");
        global.AddTo(root);
        VersionCommand.AttachTo(root, context);
        DashboardCommand.AttachTo(root, context, global);
        root.Subcommands.Add(ReadCommands.List(context));
        root.Subcommands.Add(ReadCommands.Params(context));
        root.Subcommands.Add(ReadCommands.Show(context, global));
        root.Subcommands.Add(ReadCommands.All(context, global));
        root.Subcommands.Add(ReadCommands.Info(context, global));
        root.Subcommands.Add(WriteCommands.Edit(context, global));
        root.Subcommands.Add(WriteCommands.Backup(context, global));
        root.Subcommands.Add(WriteCommands.Restore(context, global));
        root.Subcommands.Add(WriteCommands.Journal(context, global));
        root.Subcommands.Add(DecodeCommand.Create(context));
        root.Subcommands.Add(WatchCommand.Create(context, global));
        root.Subcommands.Add(SimulateCommand.Create(context));
        root.Subcommands.Add(MqttCommand.Create(context, global));
        root.Subcommands.Add(BenchCommand.Create(context, global));
        root.Subcommands.Add(RecordingCommands.Report(context));
        root.Subcommands.Add(RecordingCommands.Export(context));
        root.Subcommands.Add(RecordSimulationCommand.Create(context));
        root.Subcommands.Add(HistoryCommand.Create(context, global));
        root.Subcommands.Add(ClockCommand.Create(context, global));
        root.Subcommands.Add(MapCommand(context));
        return root;
    }

    private static Command MapCommand(CliContext context)
    {
        var markdown = new Option<bool>("--markdown") { Description = "Print the register map as Markdown (docs/registers.md)" };
        var command = new Command("map", "Print the register map this program uses") { markdown };
        command.SetAction(_ =>
        {
            context.Output.Write(Seplos.MapDocument.Render());
            return Ok;
        });
        return command;
    }

    /// <summary>The one line a user reads for an expected failure; null for a bug.</summary>
    private static string? Describe(Exception ex, SeplosSettings? settings) => ex switch
    {
        CliException or ConfigurationException => ex.Message,
        _ => Services.BusFailures.Describe(ex, settings?.Port ?? "the port", 1 + (settings?.Retries ?? 0)),
    };
}

/// <summary>
/// The original tool's flags (-l, -p, -s KEY, -a, -e KEY VALUE) become the commands they
/// stood for, so users' scripts keep working.
/// </summary>
public static class OriginalFlags
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["-l"] = "list",
        ["-p"] = "params",
        ["-s"] = "show",
        ["-a"] = "all",
        ["-e"] = "edit",
    };

    /// <summary>Rewrites the first original flag, unless a command was already named before it.</summary>
    public static string[] Rewrite(string[] args)
    {
        var result = args.ToArray();
        for (var i = 0; i < result.Length; i++)
        {
            if (Flags.TryGetValue(result[i], out var command))
            {
                result[i] = command;
                break;
            }
            if (!result[i].StartsWith('-') && (i == 0 || !TakesValue(result[i - 1])))
            {
                break; // a command name: what follows belongs to it
            }
        }
        return result;
    }

    private static bool TakesValue(string option) => option is "--port" or "--address" or "--config" or "--record" or "--replay" or "--speed";
}
