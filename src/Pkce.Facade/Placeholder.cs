namespace Pkce.Facade; internal static class Placeholder {}
