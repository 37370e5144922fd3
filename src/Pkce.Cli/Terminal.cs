namespace Pkce.Cli;

/// <summary>Where the command writes: the token on <see cref="Out"/>, everything for humans on <see cref="Error"/>.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="ErrorIsTerminal">Whether stderr is a terminal (then a live indicator is drawn while waiting).</param>
public sealed record Terminal(TextWriter Out, TextWriter Error, bool ErrorIsTerminal)
{
    /// <summary>The process's own console.</summary>
    public static Terminal Console => new(System.Console.Out, System.Console.Error, !System.Console.IsErrorRedirected);

    /// <summary>
    /// Writes one line for humans, prefixed with the command's name. Lines may come from the callback listener's
    /// threads as well as the command's: each is written whole. Text from outside reaches it only through
    /// <see cref="ServerText.Printable"/> (error messages are built that way).
    /// </summary>
    public void Say(string line)
    {
        lock (Error) Error.WriteLine("pkce: " + line);
    }

    /// <summary>Draws the live indicator (no newline), whole.</summary>
    public void Draw(string text)
    {
        lock (Error) Error.Write(text);
    }
}
