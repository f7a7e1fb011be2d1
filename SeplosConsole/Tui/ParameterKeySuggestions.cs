using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>
/// Suggests writable parameter keys inline. The base class treats only letters and digits as word
/// characters; our keys are snake_case, so '_' must count too or completion stops at the first one.
/// </summary>
public sealed class ParameterKeySuggestions : SingleWordSuggestionGenerator
{
    public override bool IsWordChar(string text) => text == "_" || base.IsWordChar(text);
}
