using System.Reflection;
using SeplosConsole.Hosting;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Hosting;

public sealed class BuildInfoTests
{
    [Fact]
    public void A_release_build_names_its_version_commit_and_build_date()
    {
        var info = BuildInfo.FromMetadata([
            new AssemblyMetadataAttribute("SeplosVersion", "1.0.0"),
            new AssemblyMetadataAttribute("SeplosCommit", "0a1b2c3d4e5f"),
            new AssemblyMetadataAttribute("SeplosBuildDate", "2026-12-01T14:00:00Z"),
        ]);

        Assert.True(info.IsRelease);
        Assert.Equal("seplos 1.0.0 (commit 0a1b2c3d4e5f, built 2026-12-01T14:00:00Z)", info.ToString());
    }

    [Fact]
    public void A_build_without_release_metadata_says_dev()
    {
        var info = BuildInfo.FromMetadata([new AssemblyMetadataAttribute("SeplosCommit", "")]);

        Assert.False(info.IsRelease);
        Assert.Equal("seplos dev", info.ToString());
    }

    [Fact]
    public async Task Version_of_a_plain_build_prints_dev_and_exits_0()
    {
        var result = await CliRunner.RunAsync(["--version"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("seplos dev", Assert.Single(result.Lines));
    }
}
