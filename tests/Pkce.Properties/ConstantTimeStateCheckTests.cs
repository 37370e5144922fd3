using System.Reflection;
using System.Reflection.Emit;
using System.Security.Cryptography;

namespace Pkce.Properties;

/// <summary>
/// RFC 6749 §10.12 and the state's doc: the callback's state is compared in constant time. How long a comparison
/// takes is not something a test may assert (a loaded machine makes any timing flaky), so this is a structural pin
/// instead: the code that checks a state, followed call by call through the library's own IL (lambdas included),
/// reaches <see cref="CryptographicOperations.FixedTimeEquals"/>, and the state's own comparison calls it on the
/// values rather than any string equality. Replacing the check with <c>string.Equals</c> or <c>==</c> fails it.
/// </summary>
public class ConstantTimeStateCheckTests
{
    private static readonly MethodInfo ConstantTime = typeof(CryptographicOperations).GetMethod(
        nameof(CryptographicOperations.FixedTimeEquals), [typeof(ReadOnlySpan<byte>), typeof(ReadOnlySpan<byte>)])!;

    private static readonly MethodInfo StateCompare = typeof(State).GetMethod(nameof(State.FixedTimeEquals))!;

    [Fact]
    public void VerifyComparesTheStateThroughTheConstantTimeComparison()
    {
        var reached = Reached(typeof(Callback).GetMethod(nameof(Callback.Verify))!);
        Assert.Contains(StateCompare, reached);
        Assert.Contains(ConstantTime, reached);
    }

    [Fact]
    public void CarriesStateComparesThroughTheConstantTimeComparison()
    {
        var reached = Reached(typeof(Callback).GetMethod(nameof(Callback.CarriesState))!);
        Assert.Contains(StateCompare, reached);
        Assert.Contains(ConstantTime, reached);
    }

    [Fact]
    public void TheStatesComparisonUsesNoStringEquality()
    {
        var called = Callees(StateCompare);
        Assert.Contains(ConstantTime, called);
        Assert.DoesNotContain(called, m => m.DeclaringType == typeof(string) && m.Name is "Equals" or "op_Equality" or "CompareOrdinal" or "Compare" or "SequenceEqual");
        Assert.DoesNotContain(called, m => m.Name.Contains("SequenceEqual", StringComparison.Ordinal));
    }

    /// <summary>Every method reached from <paramref name="start"/> through calls and delegate creations within its assembly.</summary>
    private static System.Collections.Generic.HashSet<MethodBase> Reached(MethodBase start)
    {
        var seen = new System.Collections.Generic.HashSet<MethodBase> { start };
        var queue = new System.Collections.Generic.Queue<MethodBase>([start]);
        while (queue.TryDequeue(out var method))
            foreach (var callee in Callees(method))
                if (seen.Add(callee) && callee.Module == start.Module)
                    queue.Enqueue(callee);
        return seen;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The methods named by <c>call</c>, <c>callvirt</c>, <c>newobj</c>, <c>ldftn</c> and the like in a method's IL.</summary>
    private static List<MethodBase> Callees(MethodBase method)
    {
        var found = new List<MethodBase>();
        var il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        for (var i = 0; i < il.Length;)
        {
            var code = il[i] == 0xFE ? OpCodesByValue[unchecked((short)(0xFE00 | il[i + 1]))] : OpCodesByValue[il[i]];
            i += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineMethod:
                    try
                    {
                        found.Add(method.Module.ResolveMethod(BitConverter.ToInt32(il, i),
                            method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null,
                            method.IsGenericMethod ? method.GetGenericArguments() : null)!);
                    }
                    catch (ArgumentException) { }
                    i += 4;
                    break;
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: i += 1; break;
                case OperandType.InlineVar: i += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: i += 8; break;
                case OperandType.InlineSwitch: i += 4 + 4 * BitConverter.ToInt32(il, i); break;
                default: i += 4; break;
            }
        }
        return found;
    }
}
