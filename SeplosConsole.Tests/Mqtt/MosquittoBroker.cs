using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>
/// A real mosquitto of the test's own: free loopback port, config in a temp folder, killed at the
/// end. Never the system's broker (Debian may run one on 1883).
/// </summary>
internal sealed class MosquittoBroker : IAsyncDisposable
{
    private static readonly string[] Candidates = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/local/bin/mosquitto"];

    private readonly string _folder;
    private readonly string _configPath;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private MosquittoBroker(int port, string folder, string configPath)
    {
        Port = port;
        _folder = folder;
        _configPath = configPath;
    }

    public int Port { get; }

    public string Host { get; } = "127.0.0.1";

    /// <summary>What the broker printed (with <c>log_type all</c>): connections, subscriptions.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <param name="user">With a user, anonymous clients are refused and only this login works.</param>
    /// <param name="listenerOptions">Lines for the listener, e.g. its TLS files (<c>certfile …</c>).</param>
    public static async Task<MosquittoBroker> StartAsync(string? user = null, string? password = null, int? port = null, bool start = true, IEnumerable<string>? listenerOptions = null)
    {
        var folder = Directory.CreateTempSubdirectory("seplos-mqtt-test-").FullName;
        var config = new StringBuilder();
        var chosenPort = port ?? FreePort();
        config.AppendLine($"listener {chosenPort} 127.0.0.1");
        foreach (var line in listenerOptions ?? [])
        {
            config.AppendLine(line);
        }
        config.AppendLine("persistence false");
        config.AppendLine("log_dest stdout");
        config.AppendLine("log_type all");
        // Run as root, mosquitto drops to the "mosquitto" user, which cannot read our temp folder;
        // as any other user this line has no effect.
        config.AppendLine($"user {Environment.UserName}");
        if (user is not null)
        {
            var passwordFile = Path.Combine(folder, "passwords");
            await RunToEndAsync(FindTool("mosquitto_passwd"), ["-b", "-c", passwordFile, user, password ?? ""]);
            config.AppendLine("allow_anonymous false");
            config.AppendLine($"password_file {passwordFile}");
        }
        else
        {
            config.AppendLine("allow_anonymous true");
        }
        var configPath = Path.Combine(folder, "mosquitto.conf");
        await File.WriteAllTextAsync(configPath, config.ToString());
        var broker = new MosquittoBroker(chosenPort, folder, configPath);
        if (start)
        {
            await broker.StartProcessAsync();
        }
        return broker;
    }

    public async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo(FindTool("mosquitto"), ["-c", _configPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto did not start");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitUntilListeningAsync(process);
    }

    /// <summary>SIGKILL: the broker vanishes as in a crash or a container restart.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    public async Task RestartAsync()
    {
        await KillAsync();
        await StartProcessAsync();
    }

    /// <summary>Waits until the broker's log has a line matching <paramref name="match"/>.</summary>
    public async Task<string> WaitForLogAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var line = Log.Split('\n').FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("mosquitto log has no matching line; log:\n" + Log);
            }
            // The log arrives through a pipe; there is no event to await for "line written".
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is not worth failing the tests for.
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private async Task WaitUntilListeningAsync(Process process)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with {process.ExitCode}:\n{Log}");
            }
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(20);
            }
        }
    }

    internal static string FindTool(string name)
    {
        var paths = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .Concat(Candidates.Select(c => Path.Combine(Path.GetDirectoryName(c)!, name)));
        return paths.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"{name} is not installed. The MQTT tests need a real broker: apt-get install -y mosquitto mosquitto-clients");
    }

    internal static async Task RunToEndAsync(string tool, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"{tool} did not start");
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed: {errors}");
        }
    }
}
