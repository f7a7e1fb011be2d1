using SeplosConsole.Services;

namespace SeplosConsole.Tests.Bus;

/// <summary>Awaits states of a pack feed through its events (never by sleeping).</summary>
internal static class FeedWaits
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Completes once <paramref name="condition"/> holds for the feed's packs (checked on every update).</summary>
    public static async Task UntilAsync(IPackFeed feed, Func<IReadOnlyList<PackStatus>, bool> condition, string what, TimeSpan? timeout = null)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(object? sender, PackStatus status)
        {
            if (condition(feed.AllStatus))
            {
                done.TrySetResult();
            }
        }
        feed.PackUpdated += Check;
        try
        {
            Check(null, null!);
            await done.Task.WaitAsync(timeout ?? Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out waiting for {what}; packs: {string.Join("; ", feed.AllStatus.Select(s => $"{s.Address} {s.State} {s.LastError}"))}");
        }
        finally
        {
            feed.PackUpdated -= Check;
        }
    }

    public static Task AllOnlineAsync(IPackFeed feed, TimeSpan? timeout = null)
        => UntilAsync(feed, all => all.Count > 0 && all.All(s => s.State == PackLinkState.Online), "every pack online", timeout);

    /// <summary>Completes when a pack reaches <paramref name="state"/>.</summary>
    public static Task StateAsync(IPackFeed feed, byte address, PackLinkState state, TimeSpan? timeout = null)
        => UntilAsync(feed, all => all.Any(s => s.Address == address && s.State == state), $"pack {address} {state}", timeout);

    /// <summary>Completes after the next time every pack is online with data read after <paramref name="after"/>.</summary>
    public static Task AllFreshAsync(IPackFeed feed, DateTimeOffset after, TimeSpan? timeout = null)
        => UntilAsync(feed, all => all.All(s => s.State == PackLinkState.Online && s.LastSuccess > after), $"every pack online again after {after:HH:mm:ss.fff}", timeout);
}
