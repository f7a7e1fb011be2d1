namespace SeplosConsole.Tests.Support;

/// <summary>
/// Tests whose outcome depends on real time (a reply later than a time-out, a real terminal, the
/// line's pace). They run on their own, after the parallel tests, so two busy cores cannot starve
/// a timer for hundreds of milliseconds and decide them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "real time";
}
