using Vrrp.Configuration;

namespace Vrrp.Tests.Configuration;

/// <summary>What a hostile or broken configuration file can do to the reader: each is a clear error at its place.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ConfigReaderHardeningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vrrp-conf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(KeepalivedSyntax.MaxNesting)]
    [InlineData(100_000)]
    public void Blocks_nested_past_the_limit_are_an_error_not_a_stack_overflow(int depth)
    {
        // As a daemon reloading on SIGHUP would read it: one block per line, a thousand times deeper than any real file.
        string text = string.Concat(Enumerable.Repeat("a {\n", depth + 1)) + string.Concat(Enumerable.Repeat("}\n", depth + 1));

        ConfigSyntaxException e = Assert.Throws<ConfigSyntaxException>(() => KeepalivedSyntax.Parse(text, "deep.conf"));

        Assert.Equal($"blocks nest deeper than {KeepalivedSyntax.MaxNesting}", e.Problem);
        Assert.Equal(new ConfigLocation("deep.conf", KeepalivedSyntax.MaxNesting + 1, 1), e.Location);
    }

    [Fact]
    public void Blocks_at_the_limit_parse()
    {
        string text = string.Concat(Enumerable.Repeat("a {\n", KeepalivedSyntax.MaxNesting)) + "leaf 1\n" + string.Concat(Enumerable.Repeat("}\n", KeepalivedSyntax.MaxNesting));

        ConfigStatement statement = Assert.Single(KeepalivedSyntax.Parse(text, "deep.conf"));
        for (int i = 1; i < KeepalivedSyntax.MaxNesting; i++)
        {
            statement = Assert.Single(statement.Children);
        }

        Assert.Equal("leaf", Assert.Single(statement.Children).Keyword.Text);
    }

    [Fact]
    public void A_fifo_named_like_a_conf_file_is_refused_without_blocking()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "conf.d"));
        File.WriteAllText(Path.Combine(_dir, "conf.d", "a.conf"), "vrrp_script a {\n}\n");
        string fifo = Path.Combine(_dir, "conf.d", "trap.conf");
        Assert.Equal(0, Vrrp.Actions.FifoInterop.MkFifo(fifo, 0b110_000_000));
        string main = Path.Combine(_dir, "keepalived.conf");
        File.WriteAllText(main, "global_defs {\n}\ninclude conf.d/*.conf\n");

        // The FIFO is refused at the include line, without an open that would wait for a writer.
        ConfigSyntaxException e = Assert.Throws<ConfigSyntaxException>(() => KeepalivedSyntax.ParseFile(main));
        Assert.Contains("is a FIFO, not a regular file", e.Problem, StringComparison.Ordinal);
        Assert.Equal(3, e.Location.Line);

        IOException direct = Assert.Throws<IOException>(() => KeepalivedSyntax.ReadFile(fifo));
        Assert.Equal($"{fifo}: is a FIFO, not a regular file", direct.Message);
    }

    [Fact]
    public void A_device_or_an_oversized_file_is_refused_with_its_name()
    {
        string main = Path.Combine(_dir, "keepalived.conf");
        File.WriteAllText(main, "include /dev/zero\n");
        ConfigSyntaxException device = Assert.Throws<ConfigSyntaxException>(() => KeepalivedSyntax.ParseFile(main));
        Assert.Equal(new ConfigLocation(main, 1, 9), device.Location);
        Assert.Contains("/dev/zero: is a character device, not a regular file", device.Problem, StringComparison.Ordinal);

        string big = Path.Combine(_dir, "big.conf");
        using (FileStream stream = File.Create(big))
        {
            stream.SetLength(KeepalivedSyntax.MaxFileBytes + 1L);
        }

        IOException tooLarge = Assert.Throws<IOException>(() => KeepalivedImporter.ImportFile(big));
        Assert.Equal($"{big}: is {KeepalivedSyntax.MaxFileBytes + 1} bytes, more than the {KeepalivedSyntax.MaxFileBytes} bytes read here", tooLarge.Message);
    }

    [Fact]
    public void A_nul_byte_is_an_error_at_its_place()
    {
        ConfigSyntaxException e = Assert.Throws<ConfigSyntaxException>(() => KeepalivedSyntax.Parse("global_defs {\n  router_id a\0b\n}\n", "nul.conf"));
        Assert.Equal(new ConfigLocation("nul.conf", 2, 14), e.Location);
        Assert.Equal("a NUL byte: this is not a text file", e.Problem);
    }

    [Fact]
    public void The_iterative_reader_keeps_the_forms_keepalived_accepts()
    {
        ImmutableArrayAssert(KeepalivedSyntax.Parse("vrrp_instance VI_1\n{\n state MASTER } vrrp_script s { script \"x y\" }\nlast", "forms.conf"));

        static void ImmutableArrayAssert(System.Collections.Immutable.ImmutableArray<ConfigStatement> statements)
        {
            Assert.Equal(["vrrp_instance", "vrrp_script", "last"], statements.Select(s => s.Keyword.Text));
            Assert.Equal("VI_1", Assert.Single(statements[0].Arguments).Text);
            Assert.Equal("state MASTER", Assert.Single(statements[0].Children).ToString());
            Assert.Equal("x y", Assert.Single(Assert.Single(statements[1].Children).Arguments).Text);
            Assert.False(statements[2].IsBlock);
        }
    }
}
