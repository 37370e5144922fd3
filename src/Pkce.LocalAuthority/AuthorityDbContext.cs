using Microsoft.EntityFrameworkCore;

namespace Pkce.LocalAuthority;

/// <summary>OpenIddict's entities (applications, authorizations, scopes, tokens) in an in-memory SQLite database.</summary>
public sealed class AuthorityDbContext(DbContextOptions<AuthorityDbContext> options) : DbContext(options);
