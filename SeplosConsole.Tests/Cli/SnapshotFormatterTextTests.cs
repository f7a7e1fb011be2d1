using SeplosConsole.Cli;
using SeplosConsole.Seplos;
using SeplosConsole.Simulation;

namespace SeplosConsole.Tests.Cli;

/// <summary>The text of <c>seplos all</c> names every gap, whichever blocks the pack answered.</summary>
public sealed class SnapshotFormatterTextTests
{
    private static PackSnapshot Read(params BlockId[] blocks)
    {
        var pack = new BmsSimulator(new SimulatorOptions { Addresses = [0] }).Pack(0);
        pack.Update();
        var at = DateTimeOffset.UtcNow;
        return PackSnapshot.Empty(0).With(blocks.Select(b => new BlockReading(b, pack.Image(b), at)));
    }

    private static string[] Text(PackSnapshot snapshot)
    {
        using var output = new StringWriter();
        SnapshotFormatter.WriteText(snapshot, output);
        return output.ToString().ReplaceLineEndings("\n").Split('\n');
    }

    [Fact]
    public void A_gap_is_named_when_the_pack_gave_no_switches()
    {
        // No SFA, as most packs: the "# Missing" section was written only after the switches.
        var snapshot = Read(BlockId.Pia, BlockId.Pib, BlockId.Spa, BlockId.Via).WithMissing(BlockId.Pic, "pack 0 refused to send PIC");

        var lines = Text(snapshot);

        Assert.DoesNotContain(lines, l => l.StartsWith("# Switches", StringComparison.Ordinal));
        Assert.Contains("# Missing (not read)", lines);
        Assert.Contains(lines, l => l.StartsWith("PIC: pack 0 refused to send PIC", StringComparison.Ordinal));
    }

    [Fact]
    public void The_missing_section_comes_last_after_every_section_of_readings()
    {
        var snapshot = Read(BlockId.Pia, BlockId.Pib, BlockId.Spa, BlockId.Sfa, BlockId.Via).WithMissing(BlockId.Pic, "pack 0 refused to send PIC");

        var lines = Text(snapshot);

        var missing = Array.IndexOf(lines, "# Missing (not read)");
        Assert.True(missing > 0);
        Assert.Contains("# Switches (SFA: functions enabled, settings, not alarms)", lines);
        Assert.True(Array.IndexOf(lines, "# Identity") is var identity && identity >= 0 && identity < missing, "Identity must come before Missing");
        Assert.True(Array.IndexOf(lines, "# Switches (SFA: functions enabled, settings, not alarms)") < missing);
    }
}
