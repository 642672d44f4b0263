using System.Collections.Immutable;
using System.Diagnostics;
using System.IO.Enumeration;
using FsCheck;
using FsCheck.Fluent;
using Vrrp.Configuration;

namespace Vrrp.Tests.Configuration;

/// <summary>
/// keepalived's <c>include</c> patterns are glob(3) with GLOB_BRACE: checked against bash's own pathname expansion
/// (the same fnmatch rules, braces expanded first) on a real directory tree, and against .NET's simple expressions.
/// </summary>
public sealed class ConfigGlobTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("vrrp-glob-").FullName;

    public ConfigGlobTests()
    {
        foreach (string file in new[]
        {
            "keepalived.conf", "conf.d/10-web.conf", "conf.d/20-db.conf", "conf.d/30-old.conf.bak", "conf.d/.hidden.conf",
            "conf.d/a[1].conf", "sites/a/vrrp.conf", "sites/b/vrrp.conf", "sites/b/extra.conf", "sites/.c/vrrp.conf",
            "other/x.conf", "other/y.txt",
        })
        {
            string path = Path.Combine(_root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, $"! {file}\n");
        }

        Directory.CreateDirectory(Path.Combine(_root, "conf.d", "dir.conf")); // a directory that matches *.conf: skipped
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("conf.d/*.conf")]
    [InlineData("conf.d/*")]
    [InlineData("conf.d/.*")]
    [InlineData("conf.d/[12]0-*.conf")]
    [InlineData("conf.d/[!1]0-*")]
    [InlineData("conf.d/[^1-2]0-*")]
    [InlineData("conf.d/?0-???.conf")]
    [InlineData("conf.d/a\\[1\\].conf")]
    [InlineData("sites/*/vrrp.conf")]
    [InlineData("sites/*/*.conf")]
    [InlineData("s*/b/*")]
    [InlineData("{other,conf.d}/*.conf")]
    [InlineData("{sites/{a,b},other}/*.conf")]
    [InlineData("*/{x,vrrp}.conf")]
    [InlineData("conf.d/{10,20}-*.conf")]
    [InlineData("missing/*.conf")]
    [InlineData("conf.d/*.nothing")]
    [InlineData("*.conf")]
    public void Matches_what_bash_expands_for_the_same_pattern(string pattern)
    {
        List<string> ours = ConfigGlob.Expand(Path.Combine(_root, pattern));

        Assert.Equal(BashExpansion(pattern), ours);
    }

    [Fact]
    public void Brace_alternatives_keep_their_order_and_each_is_sorted()
    {
        List<string> files = ConfigGlob.Expand(Path.Combine(_root, "{other,conf.d}/*.conf"));

        Assert.Equal(
            [.. new[] { "other/x.conf", "conf.d/10-web.conf", "conf.d/20-db.conf", "conf.d/a[1].conf" }.Select(f => Path.Combine(_root, f))],
            files);
    }

    [Theory]
    [InlineData("a{b,c}d", new[] { "abd", "acd" })]
    [InlineData("a{b,c{d,e}}f", new[] { "abf", "acdf", "acef" })]
    [InlineData("{a,b}{1,2}", new[] { "a1", "a2", "b1", "b2" })]
    [InlineData("a{b}c", new[] { "a{b}c" })]
    [InlineData("a{b,c", new[] { "a{b,c" })]
    [InlineData("{,x}y", new[] { "y", "xy" })]
    public void Braces_expand_like_glob_brace(string pattern, string[] expected)
    {
        Assert.Equal(expected, ConfigGlob.ExpandBraces(pattern));
    }

    [Fact]
    public void A_brace_explosion_is_refused()
    {
        string pattern = string.Concat(Enumerable.Repeat("{a,b}", 11)); // 2^11 alternatives

        Assert.Throws<FormatException>(() => ConfigGlob.ExpandBraces(pattern));
    }

    [Theory]
    [InlineData("[a-c]x", "bx", true)]
    [InlineData("[a-c]x", "dx", false)]
    [InlineData("[!a-c]x", "dx", true)]
    [InlineData("[]]", "]", true)]
    [InlineData("[!]]", "]", false)]
    [InlineData("[a-]", "-", true)]
    [InlineData("[ab", "[ab", true)]
    [InlineData("\\*", "*", true)]
    [InlineData("\\*", "x", false)]
    [InlineData("*.conf", ".conf", true)]
    public void Bracket_expressions_and_escapes_follow_fnmatch(string pattern, string name, bool matches)
    {
        Assert.Equal(matches, ConfigGlob.NameMatches(pattern, name));
    }

    /// <summary>With only <c>*</c> and <c>?</c>, our matcher and .NET's <see cref="FileSystemName.MatchesSimpleExpression"/> agree on every pattern and name.</summary>
    [Fact]
    public void Star_and_question_mark_agree_with_dotnet_simple_expressions()
    {
        // Non-empty, as file names are: .NET never matches an empty name, fnmatch matches it with "*".
        Gen<string> pattern = Gen.ArrayOf(Gen.Elements('a', 'b', '*', '?')).Where(c => c.Length > 0).Select(c => new string(c));
        Gen<string> name = Gen.ArrayOf(Gen.Elements('a', 'b')).Where(c => c.Length > 0).Select(c => new string(c));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000).WithQuietOnSuccess(true), Prop.ForAll(
            (from p in pattern from n in name select (p, n)).ToArbitrary(),
            c => ConfigGlob.NameMatches(c.p, c.n) == FileSystemName.MatchesSimpleExpression(c.p, c.n, ignoreCase: false)));
    }

    [Fact]
    public void Include_reads_every_match_across_directories_and_warns_when_a_pattern_matches_nothing()
    {
        File.WriteAllText(Path.Combine(_root, "sites", "a", "vrrp.conf"), "vrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n unicast_peer {\n  192.0.2.2\n }\n}\n");
        File.WriteAllText(Path.Combine(_root, "sites", "b", "vrrp.conf"), "vrrp_instance B {\n virtual_router_id 2\n unicast_src_ip 192.0.2.1\n unicast_peer {\n  192.0.2.2\n }\n}\n");
        string main = Path.Combine(_root, "keepalived.conf");
        File.WriteAllText(main, "include sites/*/vrrp.conf\ninclude empty.d/*.conf\n");

        KeepalivedConfiguration configuration = KeepalivedImporter.ImportFile(main);

        Assert.Equal(["A", "B"], configuration.Instances.Select(i => i.Options.Name));
        Assert.Equal(Path.Combine(_root, "sites", "b", "vrrp.conf"), configuration.Instances[1].Location.File);
        ConfigDiagnostic warning = Assert.Single(configuration.Warnings);
        Assert.Equal(new ConfigLocation(main, 2, 9), warning.Location);
        Assert.Contains("include 'empty.d/*.conf' matches no file", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_named_include_that_does_not_exist_is_still_an_error()
    {
        string main = Path.Combine(_root, "keepalived.conf");
        File.WriteAllText(main, "include conf.d/absent.conf\n");

        var error = Assert.Throws<ConfigSyntaxException>(() => KeepalivedImporter.ImportFile(main));

        Assert.Equal(new ConfigLocation(main, 1, 9), error.Location);
        Assert.Contains("absent.conf", error.Problem, StringComparison.Ordinal);
    }

    /// <summary>bash's pathname expansion in the C locale (braces first, no dotglob, nullglob), files only, in its order.</summary>
    private ImmutableArray<string> BashExpansion(string pattern)
    {
        ProcessStartInfo info = new("bash", ["-c", $"shopt -s nullglob; cd \"$1\" && for f in {pattern}; do if [ -f \"$f\" ]; then printf '%s\\n' \"$PWD/$f\"; fi; done", "bash", _root])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.Environment["LC_ALL"] = "C";
        using Process bash = Process.Start(info)!;
        string output = bash.StandardOutput.ReadToEnd();
        Assert.True(bash.WaitForExit(10_000));
        Assert.Equal(0, bash.ExitCode);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
