using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>
/// Suggests writable parameter keys inline. The base generator treats only letters and digits as
/// word characters; our keys are snake_case, so '_' must count too or completion stops at the first
/// one. <see cref="Offers"/> narrows the keys to what can be written now (its generator's
/// GenerateSuggestions is not virtual, hence the wrapper). UI thread only.
/// </summary>
public sealed class ParameterKeySuggestions : ISuggestionGenerator
{
    private readonly SnakeCaseWords _words = new();

    /// <summary>Every key that may be suggested.</summary>
    public List<string> AllSuggestions
    {
        get => _words.AllSuggestions;
        set => _words.AllSuggestions = value;
    }

    /// <summary>Which keys may be suggested now (null: all); a remote dashboard offers only what the pack's bridge accepts.</summary>
    public Func<string, bool>? Offers { get; set; }

    public IEnumerable<Suggestion> GenerateSuggestions(AutocompleteContext context)
        => Offers is { } offers ? _words.GenerateSuggestions(context).Where(s => offers(s.Replacement)) : _words.GenerateSuggestions(context);

    public bool IsWordChar(string text) => _words.IsWordChar(text);

    private sealed class SnakeCaseWords : SingleWordSuggestionGenerator
    {
        public override bool IsWordChar(string text) => text == "_" || base.IsWordChar(text);
    }
}
