using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pkce.Cli;
using Pkce.Facade;
using Pkce.LocalAuthority;
using Pkce.Stores.Redis;
using Pkce.Stores.Sqlite;

namespace Pkce.Integration;

/// <summary>
/// Every type of ours that prints itself (a record, or a class with a <c>ToString</c> other than
/// <see cref="object"/>'s) and holds a secret prints it as <see cref="Redaction.Mark"/>, never as itself.
/// Data-driven: a type added to any Pkce assembly is walked without changing this test.
/// </summary>
public sealed partial class SecretPrintingTests
{
    private const string Sentinel = "s3ntinel-9f1c2b7e-never-print-me";

    private static readonly Assembly[] Assemblies =
    [
        typeof(PkceSettings).Assembly,         // Pkce.Core
        typeof(PkceTokenResponse).Assembly,    // Pkce.Facade
        typeof(Pkce.FSharp.PkceFailure).Assembly, // Pkce.FSharp
        typeof(LoginOptions).Assembly,         // Pkce.Cli (assembly name: pkce)
        typeof(SqlitePendingStore).Assembly,   // Pkce.Stores.Sqlite
        typeof(RedisPendingStore).Assembly,    // Pkce.Stores.Redis
        typeof(LocalAuthorityOptions).Assembly, // Pkce.LocalAuthority
        typeof(Pkce.AspNetCore.PkceProviderOptions).Assembly, // Pkce.AspNetCore
    ];

    /// <summary>
    /// A member holding a secret, by name: client secrets, passwords, credentials, the PKCE verifier, tokens, raw
    /// token-endpoint JSON or body, the authorization code, request forms and Authorization headers. Names that
    /// describe a secret rather than hold one (TokenType, TokenEndpoint, TokenPath, ...) end in a word excluded here.
    /// </summary>
    [GeneratedRegex(
        @"^(?!.*(Type|Endpoint|Path|Lifetime|Uri|Url|Kind|Length|Prefix|Count|Requests|Method|Methods)$)" +
        @"(.*(Secret|Verifier|Password|Passwd|Credential|AccessToken|RefreshToken|IdToken|RawJson|ApiKey|PrivateKey|AuthorizationCode).*" +
        @"|Json|Code|Body|Form|Authorization|Token|Tokens)$",
        RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    private static string MemberName(string fieldName)
    {
        var backing = Regex.Match(fieldName, @"^<(?<name>[^>]+)>k__BackingField$");
        return backing.Success ? backing.Groups["name"].Value : fieldName.TrimStart('_');
    }

    /// <summary>In errors (the core's and the F# face's) and exceptions, <c>Code</c> is the stable error code (e.g. <c>state_replayed</c>), not an authorization code.</summary>
    private static bool IsErrorCode(string name, Type owner) =>
        name == "Code" && (typeof(PkceError).IsAssignableFrom(owner) || typeof(Pkce.FSharp.PkceFailure).IsAssignableFrom(owner)
            || typeof(Exception).IsAssignableFrom(owner));

    private static bool IsSecretName(string name, Type owner) => SecretName().IsMatch(name) && !IsErrorCode(name, owner);

    /// <summary>
    /// A URL that a callback delivered carries its code in its query: a member named for a callback
    /// (<c>CallbackUrl</c>, <c>CallbackUri</c>, <c>Callback</c>), or a text member named just <c>Url</c>, which says
    /// nothing of where it came from. The <c>Url</c>/<c>Uri</c> exclusion of <see cref="SecretName"/> is for
    /// addresses that configuration or a server gives (<c>RedirectUri</c>, <c>RootUrl</c>, <c>ErrorUri</c>).
    /// </summary>
    [GeneratedRegex(@"^.*Callback(Url|Uri)?$", RegexOptions.IgnoreCase)]
    private static partial Regex CallbackName();

    /// <summary>
    /// A field holds a secret by its name; as a callback URL (<see cref="CallbackName"/>, or a text <c>Url</c>); or
    /// as a <c>Value</c> inside a secret wrapper (ClientSecret, CodeVerifier, a secret's parts) or beside a
    /// <c>Name</c>: a name/value pair (a form or query parameter) holds whatever its name says, a code, a verifier or
    /// a client secret among them, so its value is a secret whatever the owner is called.
    /// </summary>
    private static bool IsSecret(FieldInfo field, Type owner, bool insideSecret)
    {
        var name = MemberName(field.Name);
        var text = field.FieldType == typeof(string) || field.FieldType == typeof(Option<string>);
        return IsSecretName(name, owner)
               || (text && (CallbackName().IsMatch(name) || name == "Url"))
               || (name == "Value" && (insideSecret || SecretName().IsMatch(owner.Name) || IsNameValuePair(owner)));
    }

    /// <summary>Whether <paramref name="owner"/> has a <c>Name</c> member beside its <c>Value</c>.</summary>
    private static bool IsNameValuePair(Type owner) => InstanceFields(owner).Any(f => MemberName(f.Name) == "Name");

    private static bool IsOurs(Type type) => Assemblies.Contains(type.Assembly);

    private static bool Buildable(Type type) =>
        !type.IsAbstract && !type.IsInterface && !type.IsGenericTypeDefinition && !type.ContainsGenericParameters
        && !type.IsEnum && !type.IsPointer && !typeof(Delegate).IsAssignableFrom(type)
        && type.GetCustomAttribute<CompilerGeneratedAttribute>() is null && !type.Name.Contains('<');

    private static bool Prints(Type type) =>
        type.GetMethod("PrintMembers", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, [typeof(StringBuilder)]) is not null
        || type.GetMethod(nameof(ToString), Type.EmptyTypes)!.DeclaringType is { } declaring && declaring != typeof(object) && declaring != typeof(ValueType);

    private static IEnumerable<FieldInfo> InstanceFields(Type type)
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                yield return field;
    }

    /// <summary>
    /// An uninitialized instance whose secret fields hold the sentinel (or a value of their type made from it) and whose
    /// other fields of our own types are built the same way; everything else keeps its default.
    /// </summary>
    private sealed class Builder(List<string> problems)
    {
        public bool Planted { get; private set; }

        public object Build(Type type, bool insideSecret, int depth)
        {
            var instance = RuntimeHelpers.GetUninitializedObject(type);
            foreach (var field in InstanceFields(type))
            {
                if (IsSecret(field, type, insideSecret))
                {
                    var secret = Secret(field.FieldType, depth);
                    if (secret is null)
                        problems.Add($"{type}.{field.Name}: no way to make a secret of type {field.FieldType}; extend {nameof(SecretPrintingTests)}");
                    else
                    {
                        field.SetValue(instance, secret);
                        Planted = true;
                    }
                }
                else if (depth < 4 && IsOurs(field.FieldType) && Buildable(field.FieldType) && !field.FieldType.IsValueType)
                    field.SetValue(instance, Build(field.FieldType, false, depth + 1));
            }
            return instance;
        }

        /// <summary>A value of <paramref name="type"/> that carries the sentinel, or null if the test does not know how to make one.</summary>
        private object? Secret(Type type, int depth)
        {
            if (type == typeof(string)) return Sentinel;
            if (type == typeof(byte[])) return Encoding.UTF8.GetBytes(Sentinel);
            if (type == typeof(char[])) return Sentinel.ToCharArray();
            if (type == typeof(JsonElement)) return JsonDocument.Parse(JsonSerializer.Serialize(new { secret = Sentinel })).RootElement.Clone();
            if (Nullable.GetUnderlyingType(type) is { } underlying) return Secret(underlying, depth);
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Option<>))
            {
                var inner = Secret(type.GetGenericArguments()[0], depth);
                return inner is null ? null : type.GetMethod(nameof(Option<int>.Some), BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [inner]);
            }
            if (type.IsArray)
            {
                var inner = Secret(type.GetElementType()!, depth);
                if (inner is null) return null;
                var array = System.Array.CreateInstance(type.GetElementType()!, 1);
                array.SetValue(inner, 0);
                return array;
            }
            if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments() is [var element])
            {
                var inner = Secret(element, depth);
                if (inner is null) return null;
                var array = System.Array.CreateInstance(element, 1);
                array.SetValue(inner, 0);
                if (type.IsInterface) return type.IsAssignableFrom(array.GetType()) ? array : null;
                var constructor = type.GetConstructor([typeof(IEnumerable<>).MakeGenericType(element)]);
                return constructor?.Invoke([array]);
            }
            if (IsOurs(type) && Buildable(type) && depth < 4) return Build(type, insideSecret: true, depth + 1);
            return null;
        }
    }

    private static IEnumerable<Type> Types(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    [Fact]
    public void No_type_that_holds_a_secret_prints_it()
    {
        var problems = new List<string>();
        var holders = new List<Type>();
        foreach (var type in Assemblies.SelectMany(Types).Where(t => Buildable(t) && Prints(t)).OrderBy(t => t.FullName))
        {
            var builder = new Builder(problems);
            var instance = builder.Build(type, insideSecret: false, depth: 0);
            if (!builder.Planted)
            {
                // A secret-named property computed from something the walk could not fill would otherwise go unchecked.
                var unfilled = type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                    .Where(p => IsSecretName(p.Name, type)).Select(p => p.Name).ToList();
                if (unfilled.Count > 0)
                    problems.Add($"{type}: secret-named {string.Join(", ", unfilled)} but nothing to fill; extend {nameof(SecretPrintingTests)}");
                continue;
            }
            holders.Add(type);
            string printed;
            try
            {
                printed = instance.ToString() ?? "";
            }
            catch (Exception e)
            {
                problems.Add($"{type}: ToString threw {e.GetType().Name}: {e.Message}");
                continue;
            }
            if (printed.Contains(Sentinel, StringComparison.Ordinal))
                problems.Add($"{type} prints a secret: {printed}");
        }

        Type[] known =
        [
            typeof(LoginOptions), typeof(PkceSettings), typeof(TokenResponse), typeof(PendingAuthorization), typeof(VerifiedCallback),
            typeof(UserSecrets), typeof(ClientSecret), typeof(CodeVerifier), typeof(AuthorizationCode), typeof(Pkce.Http.FormPost),
            typeof(PkceTokenResponse), typeof(ClientConfig), typeof(FlowSecrets), typeof(QueryParameter), typeof(CallbackRequest.Accepted),
        ];
        Assert.Empty(known.Except(holders));
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\nsecret holders walked: " + string.Join(", ", holders));
    }
}
