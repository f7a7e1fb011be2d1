using Microsoft.Extensions.Configuration;
using SeplosConsole.Mqtt;
using SeplosConsole.Seplos;

namespace SeplosConsole.Tests.Mqtt;

public sealed class MqttSettingsTests
{
    private static (MqttOptions? Options, IReadOnlyList<string> Errors) Read(params (string Key, string Value)[] values)
        => MqttSettings.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create<string, string?>("mqtt:" + v.Key, v.Value)))
            .Build());

    [Fact]
    public void No_server_means_no_bridge()
        => Assert.Null(Read(("port", "1883")).Options);

    [Fact]
    public void Reads_every_documented_key()
    {
        var (options, errors) = Read(
            ("server", "broker.lan"), ("port", "8883"), ("user", "ha"), ("pass", "s3cret"), ("tls", "true"),
            ("client_id", "seplos-garage"), ("prefix", "bms"), ("discovery_prefix", "ha"), ("republish_minutes", "2"),
            ("expire_after_seconds", "900"), ("allow_writes", "yes"), ("write_allow_list", "cell_over_voltage_protection, soc_low_alarm"),
            ("deadbands", "pack_voltage=0.05, temperature=0.2"));
        Assert.Empty(errors);
        Assert.NotNull(options);
        Assert.Equal(("broker.lan", 8883, "ha", "s3cret", true), (options.Server, options.Port, options.User, options.Password, options.Tls));
        Assert.Equal(("seplos-garage", "bms", "ha"), (options.ClientId, options.Prefix, options.DiscoveryPrefix));
        Assert.Equal(TimeSpan.FromMinutes(2), options.RepublishInterval);
        Assert.Equal(TimeSpan.FromMinutes(15), options.EffectiveExpireAfter);
        Assert.True(options.AllowWrites);
        Assert.Equal(["cell_over_voltage_protection", "soc_low_alarm"], options.WriteAllowList);
        Assert.Equal(0.05, options.DeadbandFor(SeplosMap.FindField("pack_voltage")!));
        Assert.Equal(0.2, options.DeadbandFor(SeplosMap.FindField("power_temp")!));
        Assert.Equal(0.003, options.DeadbandFor(SeplosMap.FindField("cell_3")!));
        Assert.DoesNotContain("s3cret", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_values_are_reported_and_defaults_kept()
    {
        var (options, errors) = Read(("server", "b"), ("port", "99999"), ("tls", "maybe"), ("write_allow_list", "cell_count"), ("deadbands", "bogus=1"));
        Assert.Equal(1883, options!.Port);
        Assert.False(options.Tls);
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void A_write_allow_list_key_that_is_not_writable_is_a_warning_not_an_error()
    {
        // An error ends `seplos mqtt`; under systemd a typo in the list would be a restart loop.
        var (options, errors) = Read(("server", "b"), ("allow_writes", "true"), ("write_allow_list", "soc_low_alarm, cell_count, no_such_key"));
        Assert.Empty(errors);
        Assert.Equal(["[mqtt] write_allow_list: 'cell_count' is not a writable parameter; ignored", "[mqtt] write_allow_list: 'no_such_key' is not a writable parameter; ignored"],
            MqttSettings.AllowListWarnings(options!));
        Assert.Equal(["soc_low_alarm"], options!.WritableFields().Select(f => f.Key));
    }
}
