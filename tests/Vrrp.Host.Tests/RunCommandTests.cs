using Microsoft.Extensions.Logging;
using Vrrp.Host.Commands;
using Vrrp.Routing;

namespace Vrrp.Host.Tests;

/// <summary>What <c>vrrp run</c> does before it opens a socket: configuration errors and unsupported keywords.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vrrp-run-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("SigIgn:\t0000000000000005", true)]  // nohup: SIGHUP (bit 0) and SIGQUIT
    [InlineData("SigIgn:\t0000000000000004", false)] // SIGQUIT only
    [InlineData("SigIgn:\t0000000000300000", false)]
    public void An_inherited_ignored_SIGHUP_is_recognised_from_proc_status(string line, bool ignored)
    {
        Assert.Equal(ignored, RunCommand.IsSighupIgnored(["Name:\tvrrp", "SigBlk:\t0000000000000000", line, "SigCgt:\t0000000000004a02"]));
        Assert.False(RunCommand.IsSighupIgnored(["Name:\tvrrp"]));
    }

    [Fact]
    public async Task A_bad_value_exits_2_with_its_position()
    {
        (int exit, string error) = await Run("vrrp_instance A {\n  virtual_router_id 300\n  unicast_src_ip 192.0.2.1\n}\n");

        Assert.Equal(RunCommand.BadConfiguration, exit);
        Assert.Contains("vrrp.conf:2:21: virtual_router_id is a whole number 1..255; got '300'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_syntax_error_exits_2_with_line_and_column()
    {
        (int exit, string error) = await Run("vrrp_instance A {\n  virtual_router_id 3\n");

        Assert.Equal(RunCommand.BadConfiguration, exit);
        Assert.Contains("vrrp.conf:1:1: the block 'vrrp_instance' opened here is never closed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsupported_keywords_are_listed_with_their_lines_and_stop_the_start()
    {
        (int exit, string error) = await Run("vrrp_instance A {\n  virtual_router_id 3\n  unicast_src_ip 192.0.2.1\n  use_vmac\n  smtp_alert\n  dont_track_primary\n}\nvirtual_server 192.0.2.9 80 {\n}\n");

        Assert.Equal(RunCommand.BadConfiguration, exit);
        Assert.Contains("error: unsupported: 'use_vmac' at " + Path.Combine(_directory, "vrrp.conf") + " line 4: 'use_vmac' in vrrp_instance A is not supported yet", error, StringComparison.Ordinal);
        Assert.Contains("vrrp.conf line 8: 'virtual_server' in the top level is not supported yet", error, StringComparison.Ordinal);
        Assert.Contains("--ignore-unsupported", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_without_instances_exits_2()
    {
        (int exit, string error) = await Run("global_defs {\n  router_id x\n}\n");
        Assert.Equal(RunCommand.BadConfiguration, exit);
        Assert.Contains("has no vrrp_instance", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_exits_2()
    {
        StringWriter error = new();
        int exit = await RunCommand.RunAsync(new FileInfo(Path.Combine(_directory, "absent.conf")), false, TimeSpan.FromSeconds(1), LogLevel.None, new FileInfo(Path.Combine(_directory, "vrrp.json")), new StringWriter(), error, CancellationToken.None);
        Assert.Equal(RunCommand.BadConfiguration, exit);
        Assert.Contains("absent.conf", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Transition_lines_are_stable_key_value_pairs()
    {
        VrrpTransition transition = new("VI_1", VrrpState.Backup, VrrpState.Master, VrrpTransitionReason.MasterDown, 102, new DateTimeOffset(2026, 11, 25, 14, 0, 1, 234, TimeSpan.Zero));

        Assert.Equal("vrrp-transition instance=VI_1 from=BACKUP to=MASTER priority=102 reason=MasterDown time=2026-11-25T14:00:01.234Z", RunCommand.FormatTransition(transition));
    }

    private async Task<(int Exit, string Error)> Run(string configuration)
    {
        string path = Path.Combine(_directory, "vrrp.conf");
        await File.WriteAllTextAsync(path, configuration);
        StringWriter output = new();
        StringWriter error = new();
        int exit = await RunCommand.RunAsync(new FileInfo(path), false, TimeSpan.FromSeconds(1), LogLevel.None, new FileInfo(Path.Combine(_directory, "vrrp.json")), output, error, CancellationToken.None);
        return (exit, error.ToString());
    }
}
