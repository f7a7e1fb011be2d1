using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SeplosConsole.Tests.Support;

/// <summary>
/// The program published once with Native AOT (the README's install command) into a temporary
/// folder, for tests that run the native executable. It publishes a copy of the sources, so the
/// checkout's bin and obj, which the running tests were built into, are left as they are.
/// With SEPLOS_PACKAGE_ROOT set (a .deb unpacked there, as .ci/run does after scripts/release.sh)
/// the tests run the packaged program, /usr/bin/seplos under that root, instead.
/// </summary>
public sealed class NativeAotPublish : IAsyncLifetime
{
    /// <summary>What the test publish sets, as scripts/release.sh does for a release.</summary>
    public const string TestVersion = "0.0.0-test";
    public const string TestCommit = "0123456789ab";
    public const string TestBuildDate = "2026-01-01T00:00:00Z";

    /// <summary>An unpacked .deb to test instead of publishing; null to publish.</summary>
    public static string? PackageRoot => Environment.GetEnvironmentVariable("SEPLOS_PACKAGE_ROOT") is { Length: > 0 } root ? root : null;

    /// <summary>A cold publish (restore, compile, ILC, link) takes minutes on a small machine.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    private readonly string _folder = TempDirectory.Create();
    private SeplosProgram? _program;

    /// <summary>The native executable.</summary>
    public SeplosProgram Program => _program ?? throw new InvalidOperationException("not published");

    /// <summary>What <c>dotnet publish</c> printed.</summary>
    public string Log { get; private set; } = "";

    public TimeSpan Duration { get; private set; }

    public static string RuntimeIdentifier => "linux-" + RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();

    public async Task InitializeAsync()
    {
        if (PackageRoot is { } root)
        {
            var packaged = Path.Combine(root, "usr", "bin", "seplos");
            _program = File.Exists(packaged) ? SeplosProgram.Native(packaged) : throw new InvalidOperationException($"SEPLOS_PACKAGE_ROOT={root} has no usr/bin/seplos");
            return;
        }
        var sources = Path.Combine(_folder, "src");
        CopySources(RepositoryRoot.Path, sources);
        var output = Path.Combine(_folder, "publish");
        var start = new ProcessStartInfo(Dotnet())
        {
            WorkingDirectory = sources,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList =
            {
                "publish", Path.Combine("SeplosConsole", "SeplosConsole.csproj"),
                "-c", "Release", "-r", RuntimeIdentifier, "-p:PublishAot=true", "-o", output,
                $"-p:SeplosVersion={TestVersion}", $"-p:SeplosCommit={TestCommit}", $"-p:SeplosBuildDate={TestBuildDate}",
                // No compiler or MSBuild servers: they would outlive the publish holding its output pipes.
                "--disable-build-servers", "--nologo",
            },
        };
        // `dotnet test` sets these for itself (SDK paths, node reuse); the publish finds its own.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("_MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment.Remove("DisableRealDriverIO");

        var watch = Stopwatch.StartNew();
        await using var publish = ProgramProcess.Start(start);
        var result = await publish.WaitForExitAsync(Limit);
        Duration = watch.Elapsed;
        Log = result.Output + result.Error;
        var executable = Path.Combine(output, "seplos");
        if (result.ExitCode != 0 || !File.Exists(executable))
        {
            throw new InvalidOperationException($"dotnet publish -r {RuntimeIdentifier} -p:PublishAot=true failed (exit code {result.ExitCode}; needs gcc or clang):\n{Log}");
        }
        _program = SeplosProgram.Native(executable);
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is not worth failing the tests for.
        }
        return Task.CompletedTask;
    }

    private static string Dotnet() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>The top folder's files (props, global.json, .editorconfig …) and the app's sources without bin and obj.</summary>
    private static void CopySources(string root, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(root))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        var app = Path.Combine(root, "SeplosConsole");
        foreach (var file in Directory.EnumerateFiles(app, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(app, file);
            var top = relative.Split(Path.DirectorySeparatorChar)[0];
            if (top is "bin" or "obj")
            {
                continue;
            }
            var destination = Path.Combine(target, "SeplosConsole", relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
