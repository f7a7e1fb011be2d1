namespace SeplosConsole.Tests.Mqtt;

/// <summary>
/// A CA, a second (wrong) CA, and certificates signed by the first, made with openssl in a temp
/// folder for one test: the broker's for 127.0.0.1 (valid and expired) and a client's.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    private TestCertificates(string folder) => Folder = folder;

    public string Folder { get; }

    public string Ca => Path.Combine(Folder, "ca.crt");
    public string WrongCa => Path.Combine(Folder, "wrong-ca.crt");
    public string Server => Path.Combine(Folder, "server.crt");
    public string ServerKey => Path.Combine(Folder, "server.key");
    public string ExpiredServer => Path.Combine(Folder, "expired.crt");
    public string Client => Path.Combine(Folder, "client.crt");
    public string ClientKey => Path.Combine(Folder, "client.key");

    public static async Task<TestCertificates> CreateAsync()
    {
        var certificates = new TestCertificates(Directory.CreateTempSubdirectory("seplos-tls-test-").FullName);
        await certificates.MakeAsync();
        return certificates;
    }

    private async Task MakeAsync()
    {
        var ext = Path.Combine(Folder, "server.ext");
        await File.WriteAllTextAsync(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        await OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Path.Combine(Folder, "ca.key"), "-out", Ca, "-subj", "/CN=Seplos test CA", "-days", "2");
        await OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Path.Combine(Folder, "wrong-ca.key"), "-out", WrongCa, "-subj", "/CN=Some other CA", "-days", "2");
        await OpenSsl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", ServerKey, "-out", Path.Combine(Folder, "server.csr"), "-subj", "/CN=127.0.0.1");
        await Sign("server.csr", Server, "2", ext);
        // Valid until the day before it was issued: expired from the start.
        await Sign("server.csr", ExpiredServer, "-1", ext);
        await OpenSsl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", ClientKey, "-out", Path.Combine(Folder, "client.csr"), "-subj", "/CN=seplos-bridge");
        await Sign("client.csr", Client, "2", null);
    }

    private Task Sign(string request, string output, string days, string? extensions)
    {
        string[] arguments = ["x509", "-req", "-in", Path.Combine(Folder, request), "-CA", Ca, "-CAkey", Path.Combine(Folder, "ca.key"), "-CAcreateserial", "-out", output, "-days", days];
        return OpenSsl(extensions is null ? arguments : [.. arguments, "-extfile", extensions]);
    }

    private static Task OpenSsl(params string[] arguments) => MosquittoBroker.RunToEndAsync(MosquittoBroker.FindTool("openssl"), arguments);

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
