using System.Buffers.Binary;
using System.Buffers.Text;
using System.Numerics;

namespace Pkce.Properties;

/// <summary>
/// The secrets the library makes by default are not predictable from one another the way <see cref="System.Random"/>'s
/// are. <c>new Random()</c> and <c>Random.Shared</c> are xoshiro256** on 64-bit .NET: each 8 octets of
/// <c>NextBytes</c> are <c>rotl(s1 * 5, 7) * 9</c> of a state whose update is linear over GF(2), so the 64 octets of
/// one verifier and state (8 outputs, 512 bits) over-determine the 256 bits of state. A stream from that generator
/// always has a solution; a stream from the OS CSPRNG has one with probability 2^-256. The check runs on what the
/// default code paths produce (<see cref="Secrets.Generate()"/>, a flow started with <see cref="Dependencies.System"/>),
/// and is itself checked against <see cref="System.Random.Shared"/>, which it must recognise.
/// (Not covered: a seeded <c>new Random(seed)</c>, which uses the older subtractive generator.)
/// </summary>
public class DefaultRandomSourceIsNotSystemRandomTests
{
    [Fact]
    public void TheDetectorRecognisesSystemRandom()
    {
        var octets = new byte[64];
        Random.Shared.NextBytes(octets);
        Assert.True(Xoshiro256StarStar.CouldHaveMade(octets));
        new Random().NextBytes(octets);
        Assert.True(Xoshiro256StarStar.CouldHaveMade(octets));
        Assert.True(Xoshiro256StarStar.CouldHaveMade(OctetsOf(Secrets.Generate(b => Random.Shared.NextBytes(b)))));
    }

    [Fact]
    public void DefaultSecretsAreNotAnXoshiroStream()
    {
        for (var i = 0; i < 3; i++)
            Assert.False(Xoshiro256StarStar.CouldHaveMade(OctetsOf(Secrets.Generate())));
    }

    [Fact]
    public void TheSystemDependenciesRandomIsNotAnXoshiroStream()
    {
        var deps = Dependencies.System(new FakeServer(_ => FakeServer.Token("at")).Port());
        var octets = new byte[64];
        deps.Random(octets);
        Assert.False(Xoshiro256StarStar.CouldHaveMade(octets));
        var pending = Support.Right(Support.Run(PerUserFlow.MakeSecrets(Support.Config(), deps,
            (_, _) => RightAsync<PkceError, Unit>(unit), Support.User("u"), CancellationToken.None)));
        Assert.False(Xoshiro256StarStar.CouldHaveMade(OctetsOf(pending.Verifier, pending.State)));
    }

    private static byte[] OctetsOf(FlowSecrets secrets) => OctetsOf(secrets.Verifier, secrets.State);

    /// <summary>The 64 octets one call of the random source gave: the verifier's 32, then the state's.</summary>
    private static byte[] OctetsOf(CodeVerifier verifier, State state) =>
        [.. Base64Url.DecodeFromChars(verifier.Value), .. Base64Url.DecodeFromChars(state.Value)];

    /// <summary>xoshiro256** as .NET's <c>XoshiroImpl.NextBytes</c> runs it, modelled over GF(2).</summary>
    private static class Xoshiro256StarStar
    {
        /// <summary>A 64-bit word of the state as 64 linear forms over the 256 unknown initial bits (4 words each).</summary>
        private sealed class Word(ulong[][] bits)
        {
            public readonly ulong[][] Bits = bits;

            public static Word Unknown(int index) =>
                new([.. Enumerable.Range(0, 64).Select(b => { var f = new ulong[4]; f[index] |= 1UL << b; return f; })]);

            public static Word operator ^(Word a, Word b) =>
                new([.. Enumerable.Range(0, 64).Select(i => new[] { a.Bits[i][0] ^ b.Bits[i][0], a.Bits[i][1] ^ b.Bits[i][1], a.Bits[i][2] ^ b.Bits[i][2], a.Bits[i][3] ^ b.Bits[i][3] })]);

            public Word ShiftLeft(int k) => new([.. Enumerable.Range(0, 64).Select(i => i >= k ? (ulong[])Bits[i - k].Clone() : new ulong[4])]);

            public Word RotateLeft(int k) => new([.. Enumerable.Range(0, 64).Select(i => (ulong[])Bits[(i - k + 64) % 64].Clone())]);
        }

        private static ulong Inverse(ulong odd)
        {
            var inverse = odd;
            for (var i = 0; i < 6; i++) inverse *= 2 - odd * inverse;
            return inverse;
        }

        /// <summary>Whether some state of xoshiro256** gives exactly these octets (a multiple of 8) from NextBytes.</summary>
        public static bool CouldHaveMade(byte[] octets)
        {
            var (s0, s1, s2, s3) = (Word.Unknown(0), Word.Unknown(1), Word.Unknown(2), Word.Unknown(3));
            var rows = new List<ulong[]>();
            for (var n = 0; n < octets.Length / 8; n++)
            {
                var output = BinaryPrimitives.ReadUInt64LittleEndian(octets.AsSpan(8 * n));
                var known = BitOperations.RotateRight(output * Inverse(9), 7) * Inverse(5);
                for (var b = 0; b < 64; b++)
                    rows.Add([.. s1.Bits[b], (known >> b) & 1]);
                var t = s1.ShiftLeft(17);
                s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
                s3 = s3.RotateLeft(45);
            }
            return Solvable(rows);
        }

        /// <summary>Gaussian elimination over GF(2); each row is 4 words of coefficients and the right-hand bit.</summary>
        private static bool Solvable(List<ulong[]> rows)
        {
            var pivotRow = 0;
            for (var column = 0; column < 256 && pivotRow < rows.Count; column++)
            {
                var (word, bit) = (column / 64, 1UL << (column % 64));
                var found = rows.FindIndex(pivotRow, r => (r[word] & bit) != 0);
                if (found < 0) continue;
                (rows[pivotRow], rows[found]) = (rows[found], rows[pivotRow]);
                for (var r = 0; r < rows.Count; r++)
                    if (r != pivotRow && (rows[r][word] & bit) != 0)
                        for (var w = 0; w < 5; w++) rows[r][w] ^= rows[pivotRow][w];
                pivotRow++;
            }
            return rows.Skip(pivotRow).All(r => r[4] == 0);
        }
    }
}
