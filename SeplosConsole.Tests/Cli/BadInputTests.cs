using System.Text.Json.Nodes;
using SeplosConsole.Cli;
using SeplosConsole.Services.Writes;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Cli;

/// <summary>
/// Issue 10: every bad file, path and value gets one line on stderr and the right exit code
/// (1 failure, 2 usage), never a stack trace; the restore checks the backup's identity.
/// </summary>
public sealed class BadInputTests
{
    private static void AssertOneLine(CliRunner.Result result, int exitCode, string expected)
    {
        Assert.True(result.ExitCode == exitCode, $"exit code {result.ExitCode}, expected {exitCode}: {result.Error}");
        var errors = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("warning:", StringComparison.Ordinal) && !l.StartsWith("Try ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, "one error line expected:\n" + result.Error);
        Assert.Contains(expected, errors[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    /// <summary>A folder with a seplos.ini; {dir} in <paramref name="ini"/> becomes the folder (the journal path is taken as given, not relative to it).</summary>
    private static async Task<string> FolderWithIniAsync(string ini)
    {
        var directory = TempDirectory.Create();
        await File.WriteAllTextAsync(Path.Combine(directory, "seplos.ini"), ini.Replace("{dir}", directory, StringComparison.Ordinal));
        return directory;
    }

    [Theory]
    [InlineData("[seplos\nserial = sim\n", "seplos.ini line 1: '[seplos' is not a [section] header")]
    [InlineData("[seplos]\nserial = sim\nserial = sim\n", "seplos.ini line 3: serial is set twice in [seplos]")]
    [InlineData("[seplos]\nserial sim\n", "seplos.ini line 2: 'serial sim' is not key = value")]
    public async Task A_broken_seplos_ini_is_one_line_naming_the_file_and_line(string ini, string expected)
        => AssertOneLine(await CliRunner.RunAsync(["show", "soc"], directory: await FolderWithIniAsync(ini)), 1, expected);

    [Fact]
    public async Task An_ini_that_cannot_be_read_is_one_line()
    {
        // A folder where seplos.ini should be: unreadable for root too (tests may run as root, where mode 000 is no obstacle).
        var directory = TempDirectory.Create();
        Directory.CreateDirectory(Path.Combine(directory, "seplos.ini"));
        var config = await CliRunner.RunAsync(["--config", Path.Combine(directory, "seplos.ini"), "show", "soc"], directory: directory);
        AssertOneLine(config, 1, "is a directory, not a file");

        var secret = TempDirectory.Create();
        Directory.CreateDirectory(Path.Combine(secret, "seplos.secret.ini"));
        AssertOneLine(await CliRunner.RunAsync(["show", "soc"], directory: secret), 1, "seplos.secret.ini is a directory, not a settings file");
    }

    [Fact]
    public async Task Show_and_edit_with_a_100_kB_key_answer_in_one_short_line()
    {
        var directory = await FolderWithIniAsync("[seplos]\njournal = {dir}/journal.jsonl\n");
        var key = new string('k', 100_000);

        var show = await CliRunner.RunAsync(["--simulate", "show", key], directory: directory);
        var edit = await CliRunner.RunAsync(["--simulate", "edit", key, "5", "--yes"], directory: directory);

        AssertOneLine(show, 1, $"unknown key '{new string('k', 64)}…'");
        AssertOneLine(edit, 1, $"unknown parameter '{new string('k', 64)}…'");
        Assert.True(show.Error.Length + edit.Error.Length < 600, $"{show.Error.Length} + {edit.Error.Length} characters on stderr");
    }

    [Fact]
    public async Task Unknown_ini_sections_and_keys_are_warned_about_with_the_nearest_name()
    {
        var directory = await FolderWithIniAsync("[seplos]\nseriall = /dev/ttyUSB9\n[mqtt]\nservr = x\n[bogus]\nx = 1\n[seplo]\n");

        var result = await CliRunner.RunAsync(["--simulate", "show", "soc"], directory: directory);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("line 2: unknown key 'seriall' in [seplos] (did you mean 'serial'?); ignored", result.Error, StringComparison.Ordinal);
        Assert.Contains("line 4: unknown key 'servr' in [mqtt] (did you mean 'server'?)", result.Error, StringComparison.Ordinal);
        Assert.Contains("line 5: unknown section [bogus]; its settings are ignored", result.Error, StringComparison.Ordinal);
        Assert.Contains("line 7: unknown section [seplo] (did you mean [seplos]?)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_key_the_sample_ini_and_the_docs_show_is_known()
    {
        // The sample seplos.ini (its commented-out keys too) and every ```ini block in README.md and
        // docs/ must not draw a warning: a key a reader gains must be added to KnownSettings.
        var texts = new List<(string Name, string Text)>();
        var sample = Path.Combine(RepositoryRoot.Path, "seplos.ini");
        texts.Add((sample, System.Text.RegularExpressions.Regex.Replace(await File.ReadAllTextAsync(sample), @"(?m)^;\s*(?=[a-z_]+\s*=)", "")));
        foreach (var markdown in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "docs"), "*.md").Append(Path.Combine(RepositoryRoot.Path, "README.md")))
        {
            texts.AddRange(System.Text.RegularExpressions.Regex.Matches(await File.ReadAllTextAsync(markdown), @"```ini\n(.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline)
                .Select(m => (markdown, m.Groups[1].Value))
                .Where(block => block.Value.Contains("[seplos]", StringComparison.Ordinal) || block.Value.Contains("[mqtt]", StringComparison.Ordinal)));
        }
        Assert.True(texts.Count > 1, "no ini blocks found");
        foreach (var (name, text) in texts)
        {
            var warnings = new List<string>();
            SeplosConsole.Config.IniText.Read(text, name, warnings);
            Assert.True(warnings.Count == 0, string.Join('\n', warnings));
        }
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("16")]
    [InlineData("0-")]
    [InlineData("a")]
    [InlineData("3-1")]
    [InlineData("0,,1")]
    [InlineData("0x1")]
    public async Task An_impossible_address_is_a_usage_error(string address)
        => AssertOneLine(await CliRunner.RunAsync(["--simulate", $"--address={address}", "show", "soc"]), SeplosCli.Usage, "--address:");

    [Theory]
    [InlineData("--port", "--port: no port named")]
    [InlineData("--config", "--config: no file named")]
    public async Task An_empty_port_or_config_is_a_usage_error(string option, string expected)
        => AssertOneLine(await CliRunner.RunAsync([option, "", "show", "soc"]), SeplosCli.Usage, expected);

    [Fact]
    public async Task A_port_or_config_that_is_a_directory_says_so()
    {
        var directory = TempDirectory.Create();
        AssertOneLine(await CliRunner.RunAsync(["--port", directory, "show", "soc"]), 1, $"port {directory} is a directory, not a serial device");
        AssertOneLine(await CliRunner.RunAsync(["--config", directory, "show", "soc"]), 1, $"config file {directory} is a directory, not a file");
    }

    [Theory]
    [InlineData("٣.٥")]
    [InlineData("３.５")]
    public async Task Edit_with_digits_other_than_0_to_9_is_refused_in_one_line(string value)
    {
        var directory = await FolderWithIniAsync("[seplos]\njournal = {dir}/journal.jsonl\n");
        AssertOneLine(await CliRunner.RunAsync(["--simulate", "edit", "cell_high_voltage_alarm", value, "--yes"], directory: directory), 1, "(type the digits 0-9)");
    }

    [Fact]
    public async Task Edit_with_a_100_kB_value_does_not_echo_it()
    {
        var directory = await FolderWithIniAsync("[seplos]\njournal = {dir}/journal.jsonl\n");
        var result = await CliRunner.RunAsync(["--simulate", "edit", "soc_low_alarm", new string('x', 100_000), "--yes"], directory: directory);

        AssertOneLine(result, 1, new string('x', 64) + "…");
        Assert.True(result.Error.Length < 400, $"{result.Error.Length} characters on stderr");
    }

    [Fact]
    public async Task Backup_to_a_missing_folder_or_a_directory_is_one_line()
    {
        var directory = TempDirectory.Create();
        AssertOneLine(await CliRunner.RunAsync(["--simulate", "backup", "/nonexistent-seplos/x.json"]), 1, "the folder /nonexistent-seplos does not exist");
        AssertOneLine(await CliRunner.RunAsync(["--simulate", "backup", directory]), 1, $"{directory} is a directory");
    }

    [Fact]
    public async Task Journal_at_a_directory_refuses_the_edit_and_the_journal_command_says_it_is_a_directory()
    {
        var directory = await FolderWithIniAsync("[seplos]\njournal = {dir}/journal-dir\n");
        Directory.CreateDirectory(Path.Combine(directory, "journal-dir"));

        var edit = await CliRunner.RunAsync(["--simulate", "edit", "soc_low_alarm", "6", "--yes"], directory: directory);
        var journal = await CliRunner.RunAsync(["journal"], directory: directory);

        AssertOneLine(edit, 1, "refused: the journal cannot be written");
        Assert.Contains("is a directory, not a file", edit.Error, StringComparison.Ordinal);
        AssertOneLine(journal, 1, "is a directory, not a file");
    }

    [Fact]
    public async Task Journal_reports_the_corrupt_lines_it_skipped()
    {
        var directory = await FolderWithIniAsync("[seplos]\njournal = {dir}/journal.jsonl\n");
        var edit = await CliRunner.RunAsync(["--simulate", "edit", "soc_low_alarm", "abc", "--yes"], directory: directory);
        Assert.Equal(1, edit.ExitCode);
        await File.AppendAllTextAsync(Path.Combine(directory, "journal.jsonl"), "{\"time\":\"torn\n\nnot json at all\n");

        var journal = await CliRunner.RunAsync(["journal"], directory: directory);

        Assert.Equal(0, journal.ExitCode);
        Assert.Single(journal.Lines);
        Assert.Contains("warning: skipped 2 line(s)", journal.Error, StringComparison.Ordinal);
        Assert.Contains("(line 2, 4)", journal.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journal_shows_a_write_whose_outcome_was_never_recorded()
    {
        var directory = await FolderWithIniAsync("[seplos]\njournal = {dir}/journal.jsonl\n");
        var journalFile = new WriteJournal(Path.Combine(directory, "journal.jsonl"));
        WriteJournalEntry Entry(string result) => new()
        {
            Time = DateTimeOffset.UtcNow, Source = "cli", Port = "sim", Address = 0, Key = "soc_low_alarm", Requested = "6",
            OldRaw = 50, OldValue = 5, NewRaw = 60, NewValue = 6, Unit = "%", Result = result, Reason = result,
        };
        journalFile.Append(Entry("sending"));
        journalFile.Append(Entry("confirmed"));
        journalFile.Append(Entry("sending")); // the power went off here

        var journal = await CliRunner.RunAsync(["journal"], directory: directory);

        Assert.Equal(2, journal.Lines.Length);
        Assert.Contains(" confirmed ", journal.Lines[0], StringComparison.Ordinal);
        Assert.Contains("no outcome", journal.Lines[1], StringComparison.Ordinal);
        Assert.Contains("check the register", journal.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unforeseen_exception_is_one_line_and_exit_code_70()
    {
        var context = new CliContext(new ThrowingWriter(), new StringWriter(), new StringReader(""), false, TempDirectory.Create());

        var code = await SeplosCli.RunAsync(["map"], context, CancellationToken.None);

        Assert.Equal(SeplosCli.InternalError, code);
        var error = context.Error.ToString()!;
        Assert.Equal("internal error: NotSupportedException: the test's output refuses text; this is a bug, please report it (exit code 70)", error.Trim());
    }

    private sealed class ThrowingWriter : StringWriter
    {
        public override void Write(string? value) => throw new NotSupportedException("the test's output refuses text");
    }

    // Restore: the backup is made of the simulated pack, then edited as a careless person would.

    private static async Task<(string Directory, string File, JsonObject Json)> BackupAsync()
    {
        var directory = await FolderWithIniAsync("[seplos]\njournal = {dir}/journal.jsonl\n");
        var file = Path.Combine(directory, "pack0.json");
        var backup = await CliRunner.RunAsync(["--simulate", "backup", file], directory: directory);
        Assert.True(backup.ExitCode == 0, backup.Error);
        return (directory, file, JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject());
    }

    private static async Task<CliRunner.Result> RestoreAsync(string directory, string file, string text, params string[] extra)
    {
        await File.WriteAllTextAsync(file, text);
        return await CliRunner.RunAsync(["--simulate", "restore", file, "--dry-run", .. extra], directory: directory);
    }

    [Fact]
    public async Task Restore_of_another_packs_backup_needs_force_and_says_so()
    {
        var (directory, file, json) = await BackupAsync();
        json["identity"]!["bms_serial"] = "OTHER-SERIAL-1";
        json["parameters"]!["soc_low_alarm"]!["raw"] = 60;
        json["parameters"]!["soc_low_alarm"]!["value"] = 6.0;

        var refused = await RestoreAsync(directory, file, json.ToJsonString());
        var forced = await RestoreAsync(directory, file, json.ToJsonString(), "--force");

        AssertOneLine(refused, 1, "the backup is from the pack with BMS serial OTHER-SERIAL-1, this pack is SIMBMS");
        Assert.Contains("add --force if you really mean to restore it onto this pack", refused.Error, StringComparison.Ordinal);
        Assert.True(forced.ExitCode == 0, forced.Error);
        Assert.Contains("soc_low_alarm: pack 5.0 % → backup 6.0 %", forced.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_of_another_models_backup_is_refused_even_with_force()
    {
        var (directory, file, json) = await BackupAsync();
        json["identity"]!["device_name"] = "SG15S100A-OTHER";

        var forced = await RestoreAsync(directory, file, json.ToJsonString(), "--force");

        AssertOneLine(forced, 1, "the backup is from a SG15S100A-OTHER, this pack is a SG16S200A-SP57B-A: a backup is restored only onto the same model");
    }

    [Fact]
    public async Task Restore_lists_the_keys_it_does_not_know()
    {
        var (directory, file, json) = await BackupAsync();
        json["parameters"]!["future_parameter"] = new JsonObject { ["raw"] = 1, ["value"] = 1 };
        json["parameters"]!["soc_low_alarmm"] = new JsonObject { ["raw"] = 1 };

        var result = await RestoreAsync(directory, file, json.ToJsonString());

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("warning: the backup has 2 key(s) this program does not know, not restored: future_parameter, soc_low_alarmm", result.Error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadBackups => new()
    {
        { "value disagrees with raw", "\"soc_low_alarm\": {\"raw\": 60, \"value\": 5.0}", "soc_low_alarm: value 5.0 disagrees with raw 60 (= 6.0 %)" },
        { "raw is text", "\"soc_low_alarm\": {\"raw\": \"abc\"}", "soc_low_alarm has no numeric \"raw\" register value" },
        { "raw has a fraction", "\"soc_low_alarm\": {\"raw\": 3450.5}", "soc_low_alarm: raw 3450.5 is not a whole number that fits register 0x1355" },
        { "raw is 2^70", "\"soc_low_alarm\": {\"raw\": 1180591620717411303424}", "raw 1180591620717411303424 is not a whole number that fits" },
        { "parameter is not an object", "\"soc_low_alarm\": 5", "soc_low_alarm is a number, not an object" },
        { "duplicate key", "\"soc_low_alarm\": {\"raw\": 50}, \"soc_low_alarm\": {\"raw\": 60}", "is not valid JSON: Duplicate property 'soc_low_alarm'" },
    };

    [Theory]
    [MemberData(nameof(BadBackups))]
    public async Task A_bad_backup_is_one_line_naming_the_problem(string what, string parameters, string expected)
    {
        Assert.NotEmpty(what);
        var directory = TempDirectory.Create();
        var file = Path.Combine(directory, "bad.json");

        var result = await RestoreAsync(directory, file, $"{{\"format\": \"seplos-backup/1\", \"parameters\": {{{parameters}}}}}");

        AssertOneLine(result, 1, expected);
    }

    [Fact]
    public async Task A_numeric_device_name_is_one_line()
    {
        var directory = TempDirectory.Create();
        var result = await RestoreAsync(directory, Path.Combine(directory, "bad.json"), "{\"format\": \"seplos-backup/1\", \"identity\": {\"device_name\": 5}, \"parameters\": {}}");
        AssertOneLine(result, 1, "identity \"device_name\" is a number, not text");
    }
}
