namespace SeplosConsole.Services.Writes;

/// <summary>Asks whoever requested a write whether to go ahead with <see cref="WritePlan"/>.</summary>
public interface IConfirmation
{
    /// <summary>True to write; false (or cancellation) ends the attempt with nothing written.</summary>
    Task<bool> ConfirmAsync(WritePlan plan, CancellationToken cancellationToken);
}

/// <summary>The confirmations every front end needs; the CLI's "type yes" prompt lives in the CLI.</summary>
public static class Confirmations
{
    /// <summary>For the write queue and MQTT, and for the CLI's --yes: the request itself was the confirmation.</summary>
    public static IConfirmation Automatic { get; } = new Delegating((_, _) => Task.FromResult(true));

    /// <summary>For a CLI without a terminal and without --yes: nobody can confirm, so never write.</summary>
    public static IConfirmation Never { get; } = new Delegating((_, _) => Task.FromResult(false));

    public static IConfirmation From(Func<WritePlan, CancellationToken, Task<bool>> ask) => new Delegating(ask);

    /// <summary>
    /// For the dashboard: the user confirmed a plan shown earlier; go ahead only when the freshly
    /// prepared plan writes the same raw over the same raw (nothing changed on the pack meanwhile).
    /// </summary>
    public static IConfirmation SameAs(WritePlan shown) => new Delegating((plan, _) => Task.FromResult(plan.SameWriteAs(shown)));

    private sealed class Delegating(Func<WritePlan, CancellationToken, Task<bool>> ask) : IConfirmation
    {
        public Task<bool> ConfirmAsync(WritePlan plan, CancellationToken cancellationToken) => ask(plan, cancellationToken);
    }
}
