using System.Collections.Immutable;
using Vrrp.Configuration;

namespace Vrrp.Tests.Configuration;

public class KeepalivedSyntaxTests
{
    [Fact]
    public void Reads_the_reference_deployment()
    {
        ImmutableArray<ConfigStatement> statements = KeepalivedSyntax.Parse(ReferenceConfigs.Host01, "host01.conf");

        Assert.Equal(["vrrp_script", "vrrp_instance"], statements.Select(s => s.Keyword.Text));
        ConfigStatement script = statements[0];
        Assert.Equal("haproxy-check", Assert.Single(script.Arguments).Text);
        Assert.Equal("killall -0 haproxy", script.Children.Single(c => c.Keyword.Text == "script").Arguments.Single().Text);
        ConfigStatement instance = statements[1];
        Assert.True(instance.IsBlock);
        Assert.Equal("10.18.18.11", instance.Children.Single(c => c.Keyword.Text == "unicast_peer").Children.Single().Keyword.Text);
        Assert.Equal(["haproxy-check", "weight", "20"], Flatten(instance.Children.Single(c => c.Keyword.Text == "track_script").Children.Single()));
        ConfigStatement notify = instance.Children.Single(c => c.Keyword.Text == "notify_master");
        Assert.Equal("/etc/keepalived/vrrp.sh 54.192.x.x start", notify.Arguments.Single().Text);
        Assert.Equal(new ConfigLocation("host01.conf", 19, 5), notify.Location);
    }

    [Fact]
    public void Comments_quotes_and_one_line_blocks()
    {
        const string text = """
            ! a comment
            global_defs { router_id A } # trailing
            vrrp_instance VI_1
            {
                unicast_peer { 192.0.2.2 min_ttl 250 max_ttl 255 }
                notify "/usr/bin/logger # not a comment"
            }
            """;

        ImmutableArray<ConfigStatement> statements = KeepalivedSyntax.Parse(text);

        Assert.Equal(["router_id", "A"], Flatten(statements[0].Children.Single()));
        ConfigStatement instance = statements[1];
        Assert.Equal("VI_1", instance.Arguments.Single().Text);
        Assert.Equal(["192.0.2.2", "min_ttl", "250", "max_ttl", "255"], Flatten(instance.Children[0].Children.Single()));
        Assert.Equal("/usr/bin/logger # not a comment", instance.Children[1].Arguments.Single().Text);
    }

    [Theory]
    [InlineData("vrrp_instance A {\n  state MASTER\n", 1, 1, "never closed")]
    [InlineData("state MASTER\n}\n", 2, 1, "without a matching")]
    [InlineData("a {\n  notify \"/bin/x\n}\n", 2, 10, "unterminated")]
    [InlineData("{\n}\n", 1, 1, "must follow a keyword")]
    public void Syntax_errors_name_the_exact_line_and_column(string text, int line, int column, string problem)
    {
        var error = Assert.Throws<ConfigSyntaxException>(() => KeepalivedSyntax.Parse(text, "bad.conf"));

        Assert.Equal(new ConfigLocation("bad.conf", line, column), error.Location);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"bad.conf:{line}:{column}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Include_expands_globs_relative_to_the_including_file_in_order()
    {
        string directory = Directory.CreateTempSubdirectory("vrrp-include-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "main.conf"), "global_defs {\n include parts/*.conf\n}\n");
            Directory.CreateDirectory(Path.Combine(directory, "parts"));
            File.WriteAllText(Path.Combine(directory, "parts", "b.conf"), "router_id B\n");
            File.WriteAllText(Path.Combine(directory, "parts", "a.conf"), "vrrp_version 3\n");

            ImmutableArray<ConfigStatement> statements = KeepalivedSyntax.ParseFile(Path.Combine(directory, "main.conf"));

            ConfigStatement[] children = [.. statements.Single().Children];
            Assert.Equal(["vrrp_version", "router_id"], children.Select(c => c.Keyword.Text));
            Assert.EndsWith(Path.Combine("parts", "b.conf"), children[1].Location.File, StringComparison.Ordinal);
            Assert.Equal(1, children[1].Location.Line);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_missing_included_file_is_reported_where_it_is_named()
    {
        var error = Assert.Throws<ConfigSyntaxException>(() => KeepalivedSyntax.Parse("include /nonexistent/x.conf\n", "main.conf"));
        Assert.Equal(new ConfigLocation("main.conf", 1, 9), error.Location);
    }

    [Fact]
    public void An_include_loop_is_stopped()
    {
        var error = Assert.Throws<ConfigSyntaxException>(() => KeepalivedSyntax.Parse("include self.conf\n", "/virtual/self.conf", _ => "include self.conf\n"));
        Assert.Contains("deeper", error.Problem, StringComparison.Ordinal);
    }

    private static string[] Flatten(ConfigStatement statement) => [statement.Keyword.Text, .. statement.Arguments.Select(a => a.Text)];
}
