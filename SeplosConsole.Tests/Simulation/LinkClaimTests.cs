using SeplosConsole.Simulation;

namespace SeplosConsole.Tests.Simulation;

public sealed class LinkClaimTests
{
    [Theory]
    // Published FNV-1a 64-bit test vectors: the claim's name must not depend on the process.
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void The_claim_is_named_by_a_hash_that_is_the_same_in_every_process(string text, ulong expected)
        => Assert.Equal(expected, LinkClaim.StableHash(System.Text.Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void A_path_claimed_by_a_live_claim_is_refused_until_that_claim_ends()
    {
        var path = Path.Combine(Path.GetTempPath(), $"seplos-claim-{Guid.NewGuid():N}");
        using (LinkClaim.Take(path))
        {
            Assert.Throws<IOException>(() => LinkClaim.Take(path));
        }
        using var again = LinkClaim.Take(path);
    }

    [Fact]
    public void The_link_a_claim_made_is_removed_before_the_path_is_given_up()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"seplos-claim-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var link = Path.Combine(directory, "ttyBMS");
        var target = Path.Combine(directory, "slave");
        File.WriteAllText(target, "");

        using (var claim = LinkClaim.Take(link))
        {
            claim.PointAt(target);
            Assert.Equal(target, new FileInfo(link).LinkTarget);
        }

        Assert.False(File.Exists(link) || new FileInfo(link).LinkTarget is not null, $"{link} is still there");
        Assert.True(File.Exists(target), "only the link is removed, never what it points at");
        using var again = LinkClaim.Take(link);
    }

    [Fact]
    public void A_regular_file_at_the_link_path_is_refused_and_kept()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"seplos-claim-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "notalink");
        File.WriteAllText(path, "data");

        using (var claim = LinkClaim.Take(path))
        {
            Assert.Throws<IOException>(() => claim.PointAt(Path.Combine(directory, "slave")));
        }

        Assert.Equal("data", File.ReadAllText(path));
    }
}
