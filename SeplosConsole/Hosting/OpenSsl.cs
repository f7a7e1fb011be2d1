using System.Runtime.InteropServices;

namespace SeplosConsole.Hosting;

/// <summary>
/// Whether .NET will find OpenSSL before anything asks it to. On Linux every TLS handshake
/// (SslStream: MQTT with <c>tls = true</c>, OTLP to an https collector) and every certificate or
/// hash goes through libssl, and when the runtime's shim finds none it prints "No usable version
/// of libssl was found" and aborts the process: no exception to catch, no line of ours (seen on
/// arm64 without libssl, CI release step). So the program looks first, with the names the
/// runtime's shim tries (dotnet/runtime, System.Security.Cryptography.Native/opensslshim.c:
/// CLR_OPENSSL_VERSION_OVERRIDE, then libssl.so.3, 1.1 and the 1.0 names), and says which
/// package to install. Thread-safe (no state).
/// </summary>
public static class OpenSsl
{
    /// <summary>The Debian package that provides libssl.so.3 (bookworm; trixie names it libssl3t64).</summary>
    public const string DebianPackage = "libssl3";

    private static readonly string[] SharedLibraryNames = ["libssl.so.3", "libssl.so.1.1", "libssl.so.1.0.2", "libssl.so.1.0.0", "libssl.so.10"];

    /// <summary>True when one of the runtime's libssl names loads; <paramref name="tryLoad"/> replaces dlopen in tests.</summary>
    public static bool IsAvailable(Func<string, bool>? tryLoad = null)
    {
        tryLoad ??= TryLoad;
        var overridden = Environment.GetEnvironmentVariable("CLR_OPENSSL_VERSION_OVERRIDE") is { Length: > 0 } version ? $"libssl.so.{version}" : null;
        return (overridden is null ? SharedLibraryNames : [overridden, .. SharedLibraryNames]).Any(tryLoad);
    }

    /// <summary>The line for a user whose <paramref name="what"/> needs TLS on a machine without OpenSSL.</summary>
    public static string MissingLine(string what)
        => $"{what} needs OpenSSL, and no libssl was found: install it (Debian, Raspberry Pi OS: sudo apt install {DebianPackage})";

    private static bool TryLoad(string name)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;   // Windows and macOS bring their own TLS (SChannel, Security.framework).
        }
        if (!NativeLibrary.TryLoad(name, out var handle))
        {
            return false;
        }
        NativeLibrary.Free(handle);
        return true;
    }
}
