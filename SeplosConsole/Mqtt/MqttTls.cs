using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace SeplosConsole.Mqtt;

/// <summary>
/// TLS to the broker: the broker's certificate must chain to the CA the user names
/// (<c>ca_file</c>) or, without one, to the system's trusted roots, and name the host; an
/// optional client certificate (<c>cert_file</c>, <c>key_file</c>). A certificate that does not
/// verify ends the attempt with the reason (<see cref="TakeFailure"/>); there is no fallback to
/// plain text. Thread-safe: the validation callback runs on MQTTnet's connect task.
/// </summary>
internal sealed class MqttTls
{
    private readonly X509Certificate2Collection? _authorities;
    private readonly X509Certificate2Collection? _clientCertificates;
    private volatile string? _failure;

    private MqttTls(X509Certificate2Collection? authorities, X509Certificate2Collection? clientCertificates)
    {
        _authorities = authorities;
        _clientCertificates = clientCertificates;
    }

    /// <summary>Loads the files named in the options; a file that cannot be read is a clear error, not a connection without TLS.</summary>
    /// <exception cref="MqttTlsSettingsException">A file is missing or not a PEM certificate / key.</exception>
    public static MqttTls? From(MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Tls)
        {
            return null;
        }
        if (!Hosting.OpenSsl.IsAvailable())
        {
            throw new MqttTlsSettingsException(Hosting.OpenSsl.MissingLine("[mqtt] tls = true"));
        }
        X509Certificate2Collection? authorities = null;
        if (options.CaFile is { } caFile)
        {
            authorities = new X509Certificate2Collection();
            try
            {
                authorities.ImportFromPemFile(caFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
            {
                throw new MqttTlsSettingsException($"[mqtt] ca_file = {caFile}: cannot read a PEM certificate from it ({ex.Message})");
            }
            if (authorities.Count == 0)
            {
                throw new MqttTlsSettingsException($"[mqtt] ca_file = {caFile}: no PEM certificate in it");
            }
        }
        X509Certificate2Collection? client = null;
        if (options.CertFile is { } certFile)
        {
            try
            {
                // The key may be in the certificate's file (key_file unset) or its own.
                client = [X509Certificate2.CreateFromPemFile(certFile, options.KeyFile)];
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                throw new MqttTlsSettingsException($"[mqtt] cert_file = {certFile}{(options.KeyFile is null ? "" : ", key_file = " + options.KeyFile)}: cannot load the client certificate and its key ({ex.Message})");
            }
        }
        return new MqttTls(authorities, client);
    }

    /// <summary>Why the last handshake refused the broker's certificate, once; null when it did not.</summary>
    public string? TakeFailure() => Interlocked.Exchange(ref _failure, null);

    public void Configure(MqttClientTlsOptionsBuilder tls)
    {
        tls.UseTls().WithCertificateValidationHandler(Validate);
        if (_clientCertificates is not null)
        {
            tls.WithClientCertificates(_clientCertificates);
        }
    }

    private bool Validate(MqttClientCertificateValidationEventArgs e)
    {
        var failure = Check(e.Certificate, e.Chain, e.SslPolicyErrors);
        _failure = failure;
        return failure is null;
    }

    /// <summary>Null when the certificate verifies, else the reason in words.</summary>
    internal string? Check(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the broker sent no certificate";
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return $"it is issued to {certificate.Subject}, which does not name the host connected to";
        }
        if (_authorities is null)
        {
            return errors == SslPolicyErrors.None ? null : Describe(presented, "a CA this system trusts (name yours with ca_file)");
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        // A private CA for a home broker has no revocation list to ask.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf) ? null : Describe(chain, "the CA in ca_file");
    }

    private static string Describe(X509Chain? chain, string authority)
    {
        // Revocation is not what failed when the chain has no trusted root: no CRL can be found then.
        var reasons = chain?.ChainStatus
            .Where(s => s.Status is not (X509ChainStatusFlags.RevocationStatusUnknown or X509ChainStatusFlags.OfflineRevocation))
            .Select(s => s.Status switch
            {
                X509ChainStatusFlags.NotTimeValid => "it has expired or is not valid yet",
                X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain => $"it is not signed by {authority}",
                _ => s.StatusInformation.Trim(),
            }).Distinct().ToList();
        return reasons is { Count: > 0 } ? string.Join("; ", reasons) : "the chain does not verify";
    }
}

/// <summary>A TLS file named in [mqtt] that cannot be used.</summary>
public sealed class MqttTlsSettingsException(string message) : Exception(message);
