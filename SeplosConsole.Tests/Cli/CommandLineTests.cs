using SeplosConsole.Cli;
using SeplosConsole.Config;
using SeplosConsole.Seplos;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Cli;

public class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "-l" }, new[] { "list" })]
    [InlineData(new[] { "-s", "soc" }, new[] { "show", "soc" })]
    [InlineData(new[] { "--port", "/dev/x", "-a" }, new[] { "--port", "/dev/x", "all" })]
    [InlineData(new[] { "-e", "soc_low_alarm", "6" }, new[] { "edit", "soc_low_alarm", "6" })]
    [InlineData(new[] { "show", "-s" }, new[] { "show", "-s" })]
    public void Original_flags_become_the_commands_they_stood_for(string[] args, string[] expected)
    {
        // After a command name an original flag is left alone: it belongs to that command.
        Assert.Equal(expected, OriginalFlags.Rewrite(args));
    }

    [Fact]
    public async Task List_prints_every_reading_and_flag_key_of_the_map()
    {
        var result = await CliRunner.RunAsync(["list"]);

        Assert.Equal(0, result.ExitCode);
        var keys = result.Lines.Select(l => l.Split(' ')[0]).ToHashSet();
        Assert.Contains("pack_voltage", keys);
        Assert.Contains("cell_16", keys);
        Assert.Contains("cell_9_high_voltage_alarm", keys);
        Assert.DoesNotContain("battery_low_voltage_alarm", keys);
        Assert.Equal(SeplosMap.Fields.Count(f => f.Category != FieldCategory.Parameter) + SeplosMap.Flags.Count, result.Lines.Length);
    }

    [Fact]
    public async Task Params_lists_writable_parameters_with_unit_and_safe_range()
    {
        var result = await CliRunner.RunAsync(["-p"]);

        Assert.Equal(0, result.ExitCode);
        var line = Assert.Single(result.Lines, l => l.StartsWith("battery_low_voltage_alarm ", StringComparison.Ordinal));
        Assert.Contains("V", line);
        Assert.Contains("40.00 … 58.40", line);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("cell_count ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Show_with_an_unknown_key_suggests_the_closest_and_exits_1_without_opening_a_port()
    {
        var result = await CliRunner.RunAsync(["--port", "/dev/does-not-exist", "show", "pack_voltag"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("unknown key 'pack_voltag'", result.Error);
        Assert.Contains("pack_voltage", result.Error);
        Assert.DoesNotContain("does-not-exist", result.Error);
    }

    [Fact]
    public async Task A_missing_serial_port_gives_one_clear_line_and_exit_code_1()
    {
        var result = await CliRunner.RunAsync(["--port", "/dev/ttyUSB-missing-9", "show", "soc"]);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("/dev/ttyUSB-missing-9 does not exist", line);
        Assert.Contains("--simulate", line);
    }

    [Fact]
    public async Task A_path_that_is_not_a_serial_port_is_refused_with_a_reason()
    {
        var file = Path.Combine(TempDirectory.Create(), "not-a-port");
        await File.WriteAllTextAsync(file, "x");

        var result = await CliRunner.RunAsync(["--port", file, "show", "soc"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(file, result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Theory]
    [InlineData("show", "soc")]
    [InlineData("edit", "soc_low_alarm", "6", "--yes")]
    public async Task Listen_mode_refuses_commands_that_would_transmit(params string[] command)
    {
        var result = await CliRunner.RunAsync(["--simulate", "--listen", .. command]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("listen mode never transmits", result.Error);
    }

    [Fact]
    public async Task Usage_errors_exit_with_code_2()
    {
        var result = await CliRunner.RunAsync(["show"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error:", result.Error);
    }

    [Fact]
    public async Task A_bad_address_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync(["--address", "17", "show", "soc"]);

        Assert.Equal(SeplosCli.Usage, result.ExitCode);
        Assert.Contains("'17' is not a pack address", result.Error);
    }

    [Fact]
    public void The_register_document_in_docs_matches_the_map_in_the_code()
    {
        var path = Path.Combine(RepositoryRoot.Path, "docs", "registers.md");
        var onDisk = File.ReadAllText(path).ReplaceLineEndings("\n");

        Assert.True(onDisk == MapDocument.Render(),
            "docs/registers.md is out of date: run `dotnet run --project SeplosConsole -- map --markdown > docs/registers.md`");
    }
}

public class SettingsTests
{
    [Theory]
    [InlineData("0", new byte[] { 0 })]
    [InlineData("0,1,2", new byte[] { 0, 1, 2 })]
    [InlineData("0-3", new byte[] { 0, 1, 2, 3 })]
    [InlineData("0-15", new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 })]
    [InlineData(" 3 , 1 ", new byte[] { 1, 3 })]
    public void Address_lists_are_read_as_people_write_them(string text, byte[] expected)
        => Assert.Equal(expected, AddressList.Parse(text));

    [Theory]
    [InlineData("16")]
    [InlineData("3-1")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("0-")]
    [InlineData("0,,1")]
    [InlineData("0x1")]
    [InlineData("0x00-0x0F")]
    [InlineData("٣")]
    public void Impossible_addresses_are_refused(string text)
        => Assert.False(AddressList.TryParse(text, out _, out _));

    [Fact]
    public void Secret_ini_overrides_seplos_ini_and_environment_overrides_both()
    {
        var dir = TempDirectory.Create();
        File.WriteAllText(Path.Combine(dir, "seplos.ini"), "[seplos]\nserial = /dev/ttyUSB0\naddress = 1\ntimeout_ms = 700\n[mqtt]\nuser = a\npass = public\n");
        File.WriteAllText(Path.Combine(dir, "seplos.secret.ini"), "[mqtt]\npass = secret\n");

        var settings = SeplosSettings.Load(null, dir);

        Assert.Equal("/dev/ttyUSB0", settings.Port);
        Assert.Equal([(byte)1], settings.Addresses);
        Assert.Equal(TimeSpan.FromMilliseconds(700), settings.Timeout);
        Assert.Equal("secret", settings.Configuration["mqtt:pass"]);
        Assert.Equal(2, settings.Sources.Count);
    }

    [Theory]
    [InlineData("[seplos]\nserial = /dev/ttyUSB0\n", false)]
    [InlineData("[seplos]\naddress = 0\n", true)]
    public void Addresses_count_as_chosen_only_when_the_config_names_them(string ini, bool chosen)
    {
        var dir = TempDirectory.Create();
        File.WriteAllText(Path.Combine(dir, "seplos.ini"), ini);

        var settings = SeplosSettings.Load(null, dir);

        Assert.Equal([(byte)0], settings.Addresses);
        Assert.Equal(chosen, settings.AddressesChosen);
    }

    [Fact]
    public void A_bad_number_in_the_config_names_the_section_key_and_range()
    {
        var dir = TempDirectory.Create();
        File.WriteAllText(Path.Combine(dir, "seplos.ini"), "[seplos]\ntimeout_ms = fast\n");

        var ex = Assert.Throws<ConfigurationException>(() => SeplosSettings.Load(null, dir));

        Assert.Contains("[seplos] timeout_ms = 'fast'", ex.Message);
    }

    [Fact]
    public void A_missing_config_file_given_with_config_is_an_error()
        => Assert.Throws<ConfigurationException>(() => SeplosSettings.Load("nope.ini", TempDirectory.Create()));
}
