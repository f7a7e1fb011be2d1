using Microsoft.Extensions.Configuration;
using SeplosConsole.Cli;
using SeplosConsole.Hosting;

namespace SeplosConsole.Tests.Metrics;

/// <summary>The [metrics] section read into export options, and its bad values.</summary>
public sealed class MetricsSettingsTests
{
    [Fact]
    public void An_empty_section_exports_nothing()
        => Assert.Null(MetricsHost.ReadOptions(Section([])));

    [Theory]
    [InlineData("http://collector:4318", "http://collector:4318/v1/metrics")]
    [InlineData("http://collector:4318/", "http://collector:4318/v1/metrics")]
    [InlineData("http://gateway/otlp", "http://gateway/otlp/v1/metrics")]
    [InlineData("http://collector:4318/v1/metrics", "http://collector:4318/v1/metrics")]
    public void The_otlp_endpoint_is_the_collectors_base_address_with_v1_metrics_added(string configured, string posted)
    {
        var options = MetricsHost.ReadOptions(Section(new() { ["otlp_endpoint"] = configured }));

        Assert.Equal(new Uri(posted), options!.OtlpEndpoint);
        Assert.Null(options.Listen);
        Assert.Equal(MetricsHost.DefaultOtlpInterval, options.OtlpInterval);
    }

    [Fact]
    public void Listen_and_interval_are_read()
    {
        var options = MetricsHost.ReadOptions(Section(new() { ["listen"] = "127.0.0.1:9464", ["otlp_endpoint"] = "http://c:4318", ["otlp_interval_seconds"] = "15" }));

        Assert.Equal("127.0.0.1:9464", options!.Listen!.ToString());
        Assert.Equal(TimeSpan.FromSeconds(15), options.OtlpInterval);
    }

    [Theory]
    [InlineData("listen", "9464", "[metrics] listen = 9464: expected address:port, e.g. 127.0.0.1:9464")]
    [InlineData("otlp_endpoint", "collector:4318", "[metrics] otlp_endpoint = collector:4318: expected the collector's OTLP/HTTP address, e.g. http://collector:4318")]
    [InlineData("otlp_endpoint", "grpc://collector:4317", "[metrics] otlp_endpoint = grpc://collector:4317: expected the collector's OTLP/HTTP address, e.g. http://collector:4318")]
    [InlineData("otlp_interval_seconds", "0", "[metrics] otlp_interval_seconds = 0: expected whole seconds from 1 to 3600")]
    [InlineData("otlp_interval_seconds", "1.5", "[metrics] otlp_interval_seconds = 1.5: expected whole seconds from 1 to 3600")]
    public void A_bad_value_is_one_line_naming_the_key(string key, string value, string line)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key == "otlp_interval_seconds")
        {
            settings["otlp_endpoint"] = "http://collector:4318";
        }
        Assert.Equal(line, Assert.Throws<CliException>(() => MetricsHost.ReadOptions(Section(settings))).Message);
    }

    [Fact]
    public void OpenSsl_is_missing_only_when_none_of_the_runtimes_library_names_loads()
    {
        var tried = new List<string>();
        Assert.False(OpenSsl.IsAvailable(name => { tried.Add(name); return false; }));
        Assert.Contains("libssl.so.3", tried);
        Assert.Contains("libssl.so.1.1", tried);
        Assert.True(OpenSsl.IsAvailable(name => name == "libssl.so.1.1"));
        Assert.Equal("[mqtt] tls = true needs OpenSSL, and no libssl was found: install it (Debian, Raspberry Pi OS: sudo apt install libssl3)", OpenSsl.MissingLine("[mqtt] tls = true"));
    }

    private static IConfigurationSection Section(Dictionary<string, string?> values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.ToDictionary(p => "metrics:" + p.Key, p => p.Value)).Build().GetSection("metrics");
}
