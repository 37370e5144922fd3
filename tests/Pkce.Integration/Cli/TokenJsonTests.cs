using System.Text;
using System.Text.Json;
using Pkce.Cli;
using Pkce.Http;

namespace Pkce.Integration.Cli;

public sealed class TokenJsonTests
{
    [Fact]
    public void The_token_json_on_stdout_has_no_control_or_bidi_characters_and_the_same_values()
    {
        const string raw = "{\"access_token\":\"AT\",\r\n \"token_type\":\"Bearer\",\"x\":\"\u009B2J\u202Eevil\u007F\\u001B[2J\",\"y\":\"caf\u00E9\"}";
        var token = Expect.Right(TokenResponseParser.Parse(new HttpAnswer("token endpoint", 200, Some("application/json"), Encoding.UTF8.GetBytes(raw))));
        var shown = TokenJson.Printable(token);
        Assert.All(shown, c => Assert.InRange(c, '\x20', '\x7E'));
        using var before = JsonDocument.Parse(raw);
        using var after = JsonDocument.Parse(shown);
        Assert.Equal(before.RootElement.GetProperty("x").GetString(), after.RootElement.GetProperty("x").GetString());
        Assert.Equal("café", after.RootElement.GetProperty("y").GetString());
        Assert.Equal("AT", after.RootElement.GetProperty("access_token").GetString());
    }
}
