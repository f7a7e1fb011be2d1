using CsCheck;
using SeplosConsole.Config;
using SeplosConsole.Services.Writes;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Cli;

/// <summary>
/// Issue 10: whatever a user's seplos.ini or backup file holds, the loaders answer with a value
/// or the program's own error (one line for the user), never another exception.
/// </summary>
public sealed class ArbitraryInputTests
{
    private static readonly string[] IniPieces =
    [
        "[seplos]", "[mqtt]", "[bogus]", "[seplos", "seplos]", "[", "]", "[]", "=", " = ", "==", "\n", "\n", "\n", "\r\n", " ", "\t", "#", ";", "/", "\"",
        "serial", "seriall", "port", "address", "addresses", "baud", "timeout_ms", "retries", "interval_ms", "system", "listen", "journal",
        "server", "pass", "0", "1", "15", "16", "-1", "0-3", "3-1", "0,,1", "0x1", "19200", "99999999999", "true", "maybe", "/dev/ttyUSB0",
        "sim", "٣", "３", "é", "\0", "\u001b[2J", ":", "::", "a:b",
    ];

    private static readonly Gen<string> GenIni = Gen.OneOf(
        Gen.OneOfConst(IniPieces).Array[0, 40].Select(parts => string.Concat(parts)),
        Gen.String[0, 200],
        Gen.Select(Gen.OneOfConst(IniPieces).Array[0, 30], Gen.Char.Array[0, 10]).Select((parts, noise) => string.Concat(parts) + new string(noise)));

    [Fact]
    public void Any_seplos_ini_loads_or_gives_a_configuration_error()
    {
        var directory = TempDirectory.Create();
        var path = Path.Combine(directory, "seplos.ini");
        GenIni.Sample(text =>
        {
            File.WriteAllText(path, text);
            try
            {
                var settings = SeplosSettings.Load(null, directory);
                Assert.NotEmpty(settings.Addresses);
                Assert.All(settings.Warnings, w => Assert.DoesNotContain('\n', w));
            }
            catch (ConfigurationException ex)
            {
                Assert.DoesNotContain('\n', ex.Message);
            }
        }, iter: 1500);
    }

    private static readonly string[] Keys = ["soc_low_alarm", "battery_low_voltage_alarm", "cell_count", "cell_high_voltage_alarm", "no_such_key", "SOC_LOW_ALARM", "discharge_over_current_alarm"];

    private static readonly Gen<string> GenScalar = Gen.OneOf(
        Gen.Long.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Int[-40000, 70000].Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Double.Select(v => double.IsFinite(v) ? v.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "1e999"),
        Gen.OneOfConst("3450.5", "1180591620717411303424", "-0", "1e400", "\"abc\"", "\"\"", "null", "true", "[]", "{}", "[1,2]", "\"SG16S200A-SP57B-A\"", "5"));

    private static readonly Gen<string> GenParameter = Gen.OneOf(
        GenScalar,
        Gen.Select(GenScalar, GenScalar, Gen.Bool).Select((raw, value, both) => both ? $"{{\"raw\":{raw},\"value\":{value}}}" : $"{{\"raw\":{raw}}}"),
        Gen.Select(GenScalar, GenScalar).Select((raw, other) => $"{{\"raw\":{raw},\"raw\":{other}}}"));

    private static readonly Gen<string> GenBackup = Gen.Select(
            Gen.OneOfConst("\"seplos-backup/1\"", "\"seplos-backup/2\"", "1", "null"),
            Gen.Select(Gen.OneOfConst(Keys), GenParameter).Select((k, v) => $"\"{k}\":{v}").Array[0, 6],
            Gen.OneOf(GenScalar, Gen.Select(Gen.OneOfConst("device_name", "bms_serial", "x"), GenScalar).Select((k, v) => $"{{\"{k}\":{v}}}")))
        .Select((format, parameters, identity) => $"{{\"format\":{format},\"identity\":{identity},\"parameters\":{{{string.Join(',', parameters)}}}}}");

    private static readonly Gen<string> GenMangled = Gen.Select(GenBackup, Gen.Int[0, 400], Gen.Int[0, 3], Gen.Char)
        .Select((text, at, how, c) =>
        {
            var i = Math.Min(at, text.Length);
            return how switch
            {
                0 => text[..i],
                1 => text.Insert(i, c.ToString()),
                2 => i < text.Length ? text.Remove(i, 1) : text,
                _ => text,
            };
        });

    [Fact]
    public void Any_json_reads_as_a_backup_or_gives_a_backup_file_error()
    {
        Gen.OneOf(GenBackup, GenMangled, Gen.String[0, 100]).Sample(text =>
        {
            try
            {
                var backup = BackupFile.Parse(text, "test.json");
                // What it accepts is usable as it stands: every raw fits its register.
                Assert.All(backup.Parameters, p => Assert.Equal(p.Raw, p.Field.ToRaw(p.Field.ToValue(p.Raw))));
            }
            catch (BackupFileException ex)
            {
                Assert.StartsWith("test.json", ex.Message, StringComparison.Ordinal);
                Assert.DoesNotContain('\n', ex.Message);
            }
        }, iter: 3000);
    }
}
