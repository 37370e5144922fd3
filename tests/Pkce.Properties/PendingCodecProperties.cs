using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class PendingCodecProperties
{
    private static readonly PkceConfig Config = Support.Config();

    [Property]
    public Property DecodingAnEncodedEntryGivesItBack() =>
        Prop.ForAll(Chars.WellFormedText.Where(t => t.Length is > 0 and <= 1024).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (user, offset) =>
        {
            var pending = Support.Pending(Config, Support.User(user), DateTimeOffset.UnixEpoch.AddTicks(offset * 997L));
            return PendingCodec.Decode(PendingCodec.Encode(pending)) == pending;
        });

    [Property(MaxTest = 2000)]
    public Property DamagedEntriesAreStoreFailuresNeverExceptions() =>
        Prop.ForAll(Gen.Choose(0, 400).ToArbitrary(), Chars.StringOf(Chars.QueryChar, 0, 5).ToArbitrary(), (cut, insert) =>
        {
            var encoded = PendingCodec.Encode(Support.Pending(Config, Support.User("u"), DateTimeOffset.UnixEpoch));
            var position = Math.Min(cut, encoded.Length);
            var damaged = encoded[..position] + insert + encoded[position..];
            return PendingCodec.Decode(damaged).Match(p => damaged == encoded || p is not null, e => e is PkceError.StoreFailure);
        });
}
