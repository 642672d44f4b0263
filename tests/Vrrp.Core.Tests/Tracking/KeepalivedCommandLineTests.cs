using Vrrp.Tracking;

namespace Vrrp.Tests.Tracking;

public class KeepalivedCommandLineTests
{
    public static TheoryData<string, string[]> Lines => new()
    {
        { "killall -0 haproxy", ["killall", "-0", "haproxy"] },
        { "  a \t b  ", ["a", "b"] },
        { "\"/tmp/a b\" param1 \"param 2\"", ["/tmp/a b", "param1", "param 2"] },
        { "'single quoted' x", ["single quoted", "x"] },
        { "a\"b c\"d", ["ab cd"] },
        { "a\\ b", ["a b"] },
        { "\"a\\\"b\"", ["a\"b"] },
        { "'it\\'s'", ["it's"] },
        { "\"it's\"", ["it's"] },
        { "\\x41\\102\\tz", ["AB\tz"] },
        { "\\cA", ["\u0001"] },
        { "\"\" x", ["", "x"] },
        { "", [] },
        { "   ", [] },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void SplitsLikeKeepalived(string line, string[] expected) => Assert.Equal(expected, KeepalivedCommandLine.Split(line));

    [Theory]
    [InlineData("\"unterminated")]
    [InlineData("'unterminated")]
    [InlineData("trailing\\")]
    public void RejectsBadLines(string line)
    {
        Assert.Throws<FormatException>(() => KeepalivedCommandLine.Split(line));
        Assert.False(KeepalivedCommandLine.TrySplit(line, out _, out string? error));
        Assert.NotNull(error);
    }
}
