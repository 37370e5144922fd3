namespace Pkce.Cli;

/// <summary>
/// Where the command writes (the token on <see cref="Out"/>, everything for humans on <see cref="Error"/>) and what it
/// reads from its surroundings: standard input and environment variables.
/// </summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="ErrorIsTerminal">Whether stderr is a terminal (then a live indicator is drawn while waiting).</param>
public sealed record Terminal(TextWriter Out, TextWriter Error, bool ErrorIsTerminal)
{
    /// <summary>The process's own console.</summary>
    public static Terminal Console => new(System.Console.Out, System.Console.Error, !System.Console.IsErrorRedirected)
    {
        In = System.Console.In,
        InputIsTerminal = !System.Console.IsInputRedirected,
    };

    /// <summary>Standard input (a refresh token for <c>pkce refresh --refresh-token -</c>, a prompted secret).</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Whether standard input is a terminal (then a missing client secret may be asked for).</summary>
    public bool InputIsTerminal { get; init; }

    /// <summary>Reads an environment variable (<c>PKCE_CLIENT_SECRET</c>, <c>PKCE_STATE_DIR</c>, <c>XDG_STATE_HOME</c>, ...).</summary>
    public Func<string, string?> Variable { get; init; } = Environment.GetEnvironmentVariable;

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
