using Vrrp.Configuration;
using Vrrp.Routing;

namespace Vrrp.Tests.Configuration;

/// <summary>keepalived 2.4's <c>auth_hmac { ... }</c> from keepalived.conf and from the JSON form: the same options, errors at their line.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AuthHmacImportTests : IDisposable
{
    private const string Hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private readonly string _directory = Directory.CreateTempSubdirectory("vrrp-hmac-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_block_of_keepalived_s_documentation_imports_to_the_options()
    {
        VirtualRouterOptions options = KeepalivedImporter.ImportText(Instance($$"""
             auth_hmac {
                 key 1 hex:{{Hex}}
                 key 2 "a passphrase of at least thirty-two ascii characters"
                 active_key 1
                 anti_replay monotonic
                 time_window 7
                 mode receive-only
             }
            """)).Instances.Single().Options;

        VrrpHmacOptions hmac = Assert.IsType<VrrpHmacOptions>(options.AuthHmac);
        Assert.Equal([1, 2], hmac.Keys.Select(k => k.Id));
        Assert.Equal(1, hmac.ActiveKey);
        Assert.Equal(VrrpHmacAntiReplay.Monotonic, hmac.AntiReplay);
        Assert.Equal(TimeSpan.FromSeconds(7), hmac.TimeWindow);
        Assert.Equal(VrrpHmacMode.ReceiveOnly, hmac.Mode);
        Assert.True(hmac.Keys[0].TryResolve(out byte[]? key, out _));
        Assert.Equal(Convert.FromHexString(Hex), key);
    }

    [Fact]
    public void Defaults_are_keepalived_s_enforce_time_and_a_window_of_max_3_intervals_or_5_s()
    {
        VrrpHmacOptions hmac = KeepalivedImporter.ImportText(Instance($" auth_hmac {{\n  key 9 hex:{Hex}\n  active_key 9\n }}\n")).Instances.Single().Options.AuthHmac!;

        Assert.Equal(VrrpHmacMode.Enforce, hmac.Mode);
        Assert.Equal(VrrpHmacAntiReplay.Time, hmac.AntiReplay);
        Assert.Equal(TimeSpan.FromSeconds(5), hmac.GetTimeWindow(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(TimeSpan.FromSeconds(9), hmac.GetTimeWindow(TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(300), hmac.GetTimeWindow(TimeSpan.FromSeconds(255)));
    }

    [Fact]
    public void With_authentication_too_the_legacy_block_is_dropped_with_a_warning_as_keepalived_does()
    {
        KeepalivedConfiguration config = KeepalivedImporter.ImportText(Instance(
            $" authentication {{\n  auth_type PASS\n  auth_pass secret1\n }}\n auth_hmac {{\n  key 1 hex:{Hex}\n  active_key 1\n }}\n", version: 2));

        VirtualRouterOptions options = config.Instances.Single().Options;
        Assert.Equal(Vrrp.Packets.VrrpAuthType.None, options.AuthType);
        Assert.Null(options.AuthPassword);
        Assert.NotNull(options.AuthHmac);
        Assert.Contains(config.Warnings, w => w.Message.Contains("auth_hmac and authentication exclude each other", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_mistake_is_an_error_at_its_line_and_never_quotes_a_key()
    {
        string text = Instance(" auth_hmac {\n  key 1 hex:00112233\n  key 300 hex:00\n  key 2 too short a secret\n  active_key 4\n  mode strict\n  anti_replay sometimes\n }\n");

        KeepalivedConfigException error = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText(text));

        string[] messages = [.. error.Errors.Select(e => $"{e.Location.Line}: {e.Message}")];
        Assert.Contains(messages, m => m.StartsWith("10: auth_hmac key id is a whole number 1..255; got '300'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("13: auth_hmac mode is enforce, permissive or receive-only; got 'strict'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("14: auth_hmac anti_replay is time or monotonic; got 'sometimes'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("11: key takes an id and a value", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains("00112233", StringComparison.Ordinal) || m.Contains("too short a secret", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_too_short_and_an_undefined_active_key_are_errors_at_their_lines()
    {
        string text = Instance(" auth_hmac {\n  key 1 hex:00112233\n  active_key 4\n }\n");

        KeepalivedConfigException error = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText(text));

        string[] messages = [.. error.Errors.Select(e => $"{e.Location.Line}: {e.Message}")];
        Assert.Contains(messages, m => m.StartsWith("9: vrrp_instance VI_1: auth_hmac: key: 4 bytes; a key has 32 to 64", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("10: vrrp_instance VI_1: auth_hmac: active_key: 4 is not one of the keys' ids (1)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_file_is_read_its_line_end_dropped_and_a_readable_one_warned_about()
    {
        string keyFile = Path.Combine(_directory, "vrrp51");
        File.WriteAllText(keyFile, $"hex:{Hex}\n");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        KeepalivedConfiguration config = KeepalivedImporter.ImportText(Instance($" auth_hmac {{\n  key 1 file:{keyFile}\n  active_key 1\n }}\n"));

        Assert.True(config.Instances.Single().Options.AuthHmac!.Keys[0].TryResolve(out byte[]? key, out _));
        Assert.Equal(Convert.FromHexString(Hex), key);
        ConfigDiagnostic warning = Assert.Single(config.Warnings);
        Assert.Contains($"the auth_hmac key file {keyFile} may be read by its group", warning.Message, StringComparison.Ordinal);

        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Empty(KeepalivedImporter.ImportText(Instance($" auth_hmac {{\n  key 1 file:{keyFile}\n  active_key 1\n }}\n")).Warnings);
    }

    [Fact]
    public void A_key_file_that_is_missing_too_large_a_link_a_device_or_a_fifo_is_a_clear_error_and_never_blocks()
    {
        string big = Path.Combine(_directory, "big");
        File.WriteAllText(big, new string('a', 1000));
        string link = Path.Combine(_directory, "link");
        File.CreateSymbolicLink(link, big);

        Assert.False(new VrrpHmacKeyOptions { Id = 1, Key = $"file:{big}" }.TryResolve(out _, out string? tooLarge));
        Assert.Contains("is 1000 bytes, more than the", tooLarge, StringComparison.Ordinal);
        Assert.False(new VrrpHmacKeyOptions { Id = 1, Key = $"file:{link}" }.TryResolve(out _, out string? linked));
        Assert.Contains("is a symbolic link, which is not followed here", linked, StringComparison.Ordinal);
        Assert.False(new VrrpHmacKeyOptions { Id = 1, Key = "file:/dev/zero" }.TryResolve(out _, out string? device));
        Assert.Contains("/dev/zero: is a character device, not a regular file", device, StringComparison.Ordinal);
        string fifo = Path.Combine(_directory, "fifo");
        Assert.Equal(0, Vrrp.Actions.FifoInterop.MkFifo(fifo, 0b110_000_000));
        Assert.False(new VrrpHmacKeyOptions { Id = 1, Key = $"file:{fifo}" }.TryResolve(out _, out string? pipe));
        Assert.Contains("is a FIFO, not a regular file", pipe, StringComparison.Ordinal);
        Assert.False(new VrrpHmacKeyOptions { Id = 1, Key = $"file:{_directory}/missing" }.TryResolve(out _, out string? missing));
        Assert.Contains("missing: no such file", missing, StringComparison.Ordinal);
    }

    [Fact]
    public void An_inline_key_in_a_file_others_can_read_gets_the_secret_file_warning()
    {
        string path = Path.Combine(_directory, "keepalived.conf");
        File.WriteAllText(path, Instance($" auth_hmac {{\n  key 1 hex:{Hex}\n  active_key 1\n }}\n"));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        ConfigDiagnostic warning = Assert.Single(KeepalivedImporter.ImportFile(path).Warnings);

        Assert.Contains("auth_hmac key", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Hex, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_form_gives_the_same_options()
    {
        KeepalivedConfiguration config = VrrpJsonConfiguration.ImportText($$"""
            { "Instances": [ { "Name": "VI_1", "VirtualRouterId": 51, "Version": 3, "UnicastSource": "192.0.2.1", "Peers": [ { "Address": "192.0.2.2" } ],
              "AuthHmac": { "Keys": [ { "Id": 1, "Key": "hex:{{Hex}}" } ], "ActiveKey": 1, "Mode": "Permissive", "TimeWindow": "00:00:10" } } ] }
            """);

        VrrpHmacOptions hmac = config.Instances.Single().Options.AuthHmac!;
        Assert.Equal(1, hmac.ActiveKey);
        Assert.Equal(VrrpHmacMode.Permissive, hmac.Mode);
        Assert.Equal(TimeSpan.FromSeconds(10), hmac.TimeWindow);
        Assert.Equal($"hex:{Hex}", hmac.Keys.Single().Key);
    }

    [Fact]
    public void A_json_mistake_names_its_path()
    {
        KeepalivedConfigException error = Assert.Throws<KeepalivedConfigException>(() => VrrpJsonConfiguration.ImportText("""
            { "Instances": [ { "Name": "VI_1", "VirtualRouterId": 51, "UnicastSource": "192.0.2.1", "Peers": [ { "Address": "192.0.2.2" } ],
              "AuthHmac": { "Keys": [ { "Id": 1, "Key": "hex:0011" } ], "ActiveKey": 2 } } ] }
            """));

        Assert.Contains(error.Errors, e => e.Message.Contains("AuthHmac", StringComparison.Ordinal) && e.Message.Contains("2 bytes; a key has 32 to 64", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Message.Contains("ActiveKey", StringComparison.Ordinal));
    }

    private static string Instance(string body, int version = 3) =>
        $"vrrp_instance VI_1 {{\n virtual_router_id 51\n version {version}\n unicast_src_ip 192.0.2.1\n unicast_peer {{\n  192.0.2.2\n }}\n{body}}}\n";
}
