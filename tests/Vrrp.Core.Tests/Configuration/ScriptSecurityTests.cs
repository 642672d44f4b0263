using Vrrp.Actions;
using Vrrp.Configuration;
using Vrrp.Tracking;

namespace Vrrp.Tests.Configuration;

/// <summary>keepalived's script_user / enable_script_security: the path check with real directories and modes (the tests run as root), and scripts really run as another user.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ScriptSecurityTests : IDisposable
{
    private const UnixFileMode Mode755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private readonly string _directory = Directory.CreateTempSubdirectory("vrrp-security-").FullName;

    public ScriptSecurityTests()
    {
        Assert.True(Environment.UserName == "root", "these tests check root-owned paths: run them as root (CI does)");
        File.SetUnixFileMode(_directory, Mode755);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_root_owned_script_in_root_owned_directories_is_secure()
    {
        string script = Script("ok.sh", "exit 0");

        Assert.True(ScriptSecurity.IsSecure(script, out string? problem), problem);
        Assert.True(ScriptSecurity.IsSecure("true", out problem), problem);
    }

    [Fact]
    public void A_directory_writable_by_others_without_the_sticky_bit_is_insecure_and_named()
    {
        string sub = Directory.CreateDirectory(Path.Combine(_directory, "open")).FullName;
        string script = Script(Path.Combine("open", "s.sh"), "exit 0");
        File.SetUnixFileMode(sub, Mode755 | UnixFileMode.OtherWrite);

        Assert.False(ScriptSecurity.IsSecure(script, out string? problem));
        Assert.Contains($"'{sub}' is writable by everyone", problem, StringComparison.Ordinal);

        // The sticky bit (as /tmp has) makes a world-writable directory acceptable: others cannot replace root's file.
        File.SetUnixFileMode(sub, Mode755 | UnixFileMode.OtherWrite | UnixFileMode.StickyBit);
        Assert.True(ScriptSecurity.IsSecure(script, out problem), problem);
    }

    [Fact]
    public void A_group_writable_file_is_insecure_unless_the_group_is_root()
    {
        string script = Script("g.sh", "exit 0");
        File.SetUnixFileMode(script, Mode755 | UnixFileMode.GroupWrite);
        Assert.True(ScriptSecurity.IsSecure(script, out string? problem), problem);

        Chown(script, "0:65534");
        Assert.False(ScriptSecurity.IsSecure(script, out problem));
        Assert.Contains("writable by group 65534", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_script_owned_by_another_user_or_reached_through_a_symlink_to_one_is_insecure()
    {
        string script = Script("theirs.sh", "exit 0");
        Chown(script, "65534:65534");
        string link = Path.Combine(_directory, "link.sh");
        File.CreateSymbolicLink(link, script);

        Assert.False(ScriptSecurity.IsSecure(script, out string? problem));
        Assert.Contains("owned by uid 65534", problem, StringComparison.Ordinal);
        Assert.False(ScriptSecurity.IsSecure(link, out problem));
        Assert.Contains(script, problem, StringComparison.Ordinal);
        Assert.False(ScriptSecurity.IsSecure(Path.Combine(_directory, "absent.sh"), out problem));
        Assert.Contains("does not exist", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void With_enable_script_security_an_insecure_root_script_is_an_error_naming_the_file_line_and_why()
    {
        string sub = Directory.CreateDirectory(Path.Combine(_directory, "open")).FullName;
        string script = Script(Path.Combine("open", "notify.sh"), "exit 0");
        File.SetUnixFileMode(sub, Mode755 | UnixFileMode.OtherWrite);
        string text = $"global_defs {{\n enable_script_security\n script_user root\n}}\nvrrp_instance A {{\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n unicast_fault_no_peer\n notify_master {script}\n}}\n";

        KeepalivedConfigException e = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText(text, "sec.conf"));

        ConfigDiagnostic error = Assert.Single(e.Errors);
        Assert.Equal(new ConfigLocation("sec.conf", 9, 2), error.Location);
        Assert.Contains("would run as root", error.Message, StringComparison.Ordinal);
        Assert.Contains("writable by everyone", error.Message, StringComparison.Ordinal);

        // Without enable_script_security it runs, with a warning (keepalived's "security violation").
        KeepalivedConfiguration relaxed = KeepalivedImporter.ImportText(text.Replace(" enable_script_security\n", "", StringComparison.Ordinal), "sec.conf");
        Assert.Contains(relaxed.Warnings, w => w.Location.Line == 8 && w.Message.Contains("runs as root", StringComparison.Ordinal));
        // A script run as another user is not checked for root's sake.
        Assert.Empty(KeepalivedImporter.ImportText(text.Replace("script_user root", "script_user nobody", StringComparison.Ordinal), "sec.conf").Warnings);
    }

    [Fact]
    public void With_enable_script_security_root_is_never_the_default_user()
    {
        Assert.False(ScriptUser.TryResolve(ScriptPolicy.DefaultUserName, null, out _, out _), "this machine has a keepalived_script user");
        const string text = "global_defs {\n enable_script_security\n}\nvrrp_script chk {\n script /bin/true\n}\nvrrp_instance A {\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n unicast_fault_no_peer\n track_script {\n  chk\n }\n}\n";

        KeepalivedConfigException e = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText(text));

        Assert.Contains("never run as root by default", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
        // An explicit root is accepted (its path still checked).
        KeepalivedConfiguration explicitRoot = KeepalivedImporter.ImportText(text.Replace("script /bin/true", "script /bin/true\n user root", StringComparison.Ordinal));
        Assert.Equal(["/bin/true"], ((ScriptTrackerOptions)explicitRoot.Trackers.Single().Options).Arguments);
    }

    [Theory]
    [InlineData("script_user no-such-user-xyz", "no user 'no-such-user-xyz'")]
    [InlineData("script_user nobody no-such-group-xyz", "no group 'no-such-group-xyz'")]
    public void Unknown_users_and_groups_are_errors(string setting, string message)
    {
        string text = $"global_defs {{\n {setting}\n}}\nvrrp_instance A {{\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n unicast_fault_no_peer\n}}\n";

        KeepalivedConfigException e = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText(text));

        Assert.Contains(message, Assert.Single(e.Errors).Message, StringComparison.Ordinal);
        Assert.Equal(2, e.Errors[0].Location.Line);
    }

    [Fact]
    public async Task A_tracker_script_and_a_notify_script_really_run_as_nobody()
    {
        string output = Directory.CreateDirectory(Path.Combine(_directory, "out")).FullName;
        File.SetUnixFileMode(output, Mode755 | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        string check = Script("check.sh", "[ \"$(id -u):$(id -g)\" = 65534:65534 ]");
        string notify = Script("notify.sh", $"id -u > {output}/notify-uid");
        string text = $$"""
            vrrp_script chk {
                script {{check}}
                user nobody
            }
            vrrp_instance A {
                virtual_router_id 1
                unicast_src_ip 192.0.2.1
                unicast_fault_no_peer
                track_script {
                    chk
                }
                notify_master {{notify}} nobody
            }
            """;
        KeepalivedConfiguration configuration = KeepalivedImporter.ImportText(text);
        ScriptTrackerOptions chk = (ScriptTrackerOptions)configuration.Trackers.Single().Options;
        using ScriptTracker tracker = new(chk);

        TrackerResult asNobody = await tracker.CheckAsync(CancellationToken.None);
        Assert.True(asNobody.Success, asNobody.Reason);
        // The same check run as root fails: the user really changed.
        using ScriptTracker asRoot = new(new ScriptTrackerOptions { Name = "root", Arguments = [check] });
        Assert.False((await asRoot.CheckAsync(CancellationToken.None)).Success);

        NotifyScriptAction action = NotifyScriptAction.FromKeepalived(configuration.Instances.Single(), TimeSpan.FromSeconds(10));
        await action.OnEventAsync(FailoverEvent.FromTransition(1, new Vrrp.Routing.VrrpTransition("A", Vrrp.Routing.VrrpState.Backup, Vrrp.Routing.VrrpState.Master, Vrrp.Routing.VrrpTransitionReason.MasterDown, 100, default))!, CancellationToken.None);
        Assert.Equal("65534", File.ReadAllText(Path.Combine(output, "notify-uid")).Trim());
    }

    [Fact]
    public void The_json_form_has_ScriptUser_EnableScriptSecurity_and_per_script_users()
    {
        const string json = """
            {
              "ScriptUser": "nobody",
              "EnableScriptSecurity": true,
              "Trackers": [ { "Name": "chk", "Script": "/bin/true" }, { "Name": "own", "Script": "/bin/false", "User": "root" } ],
              "Instances": [ { "Name": "A", "VirtualRouterId": 1, "UnicastSource": "192.0.2.1", "FaultWithoutPeers": true,
                               "Trackers": [ { "Name": "chk" }, { "Name": "own" } ], "Notify": { "Master": "/bin/echo m", "User": "nobody:nogroup" } } ]
            }
            """;

        KeepalivedConfiguration configuration = VrrpJsonConfiguration.ImportText(json);

        string[] wrapped = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--init-groups", "--"];
        Assert.Equal([.. wrapped, "/bin/true"], ((ScriptTrackerOptions)configuration.Trackers[0].Options).Arguments);
        Assert.Equal(["/bin/false"], ((ScriptTrackerOptions)configuration.Trackers[1].Options).Arguments);
        Assert.Equal([.. wrapped, "/bin/echo", "m"], configuration.Instances[0].Notify.Master.ToArray());
        KeepalivedConfigException e = Assert.Throws<KeepalivedConfigException>(() => VrrpJsonConfiguration.ImportText(json.Replace("\"nobody\"", "\"no-such-user-xyz\"", StringComparison.Ordinal)));
        Assert.StartsWith("ScriptUser:", e.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void In_json_an_insecure_root_script_is_a_warning_at_its_field_or_an_error_with_EnableScriptSecurity()
    {
        string sub = Directory.CreateDirectory(Path.Combine(_directory, "open")).FullName;
        string script = Script(Path.Combine("open", "check.sh"), "exit 0");
        File.SetUnixFileMode(sub, Mode755 | UnixFileMode.OtherWrite);
        string json = $$"""
            {
              "ScriptUser": "root",
              "Trackers": [ { "Name": "chk", "Script": "{{script}}" } ],
              "Instances": [ { "Name": "A", "VirtualRouterId": 1, "UnicastSource": "192.0.2.1", "FaultWithoutPeers": true, "Trackers": [ { "Name": "chk" } ] } ]
            }
            """;

        ConfigDiagnostic warning = Assert.Single(VrrpJsonConfiguration.ImportText(json, "s.json").Warnings);
        Assert.Equal(3, warning.Location.Line);
        Assert.Contains("writable by everyone", warning.Message, StringComparison.Ordinal);
        KeepalivedConfigException e = Assert.Throws<KeepalivedConfigException>(() => VrrpJsonConfiguration.ImportText(json.Replace("\"ScriptUser\"", "\"EnableScriptSecurity\": true, \"ScriptUser\"", StringComparison.Ordinal), "s.json"));
        Assert.StartsWith("Trackers[0].Script:", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }

    private string Script(string name, string body)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, Mode755);
        return path;
    }

    private static void Chown(string path, string owner)
    {
        using System.Diagnostics.Process chown = System.Diagnostics.Process.Start("chown", [owner, path])!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }
}
