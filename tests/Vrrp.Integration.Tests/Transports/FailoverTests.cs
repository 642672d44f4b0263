using System.Collections.Concurrent;
using System.Diagnostics;
using Vrrp.Integration.Tests.Lab;

namespace Vrrp.Integration.Tests.Transports;

/// <summary>
/// Real failover on the wire, in namespaces: two of our hosts, and our host with keepalived 2.2.7 and 2.4.3 both ways
/// round, for VRRPv2, VRRPv3 over IPv4 and VRRPv3 over IPv6, and with 2.4.3 signed (auth_hmac).
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class FailoverTests : IDisposable
{
    private readonly TwoNodeLab _net = new();

    public void Dispose() => _net.Dispose();

    [Theory]
    [InlineData("v2")]
    [InlineData("v3")]
    [InlineData("v3-ipv6")]
    public void Two_of_our_hosts_elect_fail_over_on_a_crash_and_preempt_back(string scenarioName)
    {
        LabScenario s = LabScenario.Get(scenarioName);
        VrrpHost master = VrrpHost.Start(_net.Lab, _net.Node1, "n1", s.Config("MASTER", 102, 1, 2, "veth1"));
        master.WaitForState("MASTER", Startup(s));
        VrrpHost backup = VrrpHost.Start(_net.Lab, _net.Node2, "n2", s.Config("BACKUP", 101, 2, 1, "veth2"));
        backup.WaitForState("BACKUP", Startup(s));
        Thread.Sleep(s.MasterDownInterval(101) + s.Interval);
        Assert.Equal("BACKUP", backup.State);
        Assert.Equal("MASTER", master.State);

        // Crash: SIGKILL, no priority-0 advert. The backup takes over within its Master_Down_Interval.
        DateTimeOffset killed = master.Kill();
        TransitionLine takeover = backup.WaitForStateSince("MASTER", killed, s.MasterDownInterval(101) + TimeSpan.FromSeconds(3));
        AssertCrashTakeover(takeover, backup);

        // The old master comes back with the higher priority and preempts.
        int mark = backup.Mark();
        master.Restart();
        master.WaitForState("MASTER", Startup(s) + s.MasterDownInterval(102));
        backup.WaitForState("BACKUP", TimeSpan.FromSeconds(5), mark);
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("v3")]
    public void A_graceful_stop_hands_over_within_skew_time(string scenarioName)
    {
        LabScenario s = LabScenario.Get(scenarioName);
        VrrpHost master = VrrpHost.Start(_net.Lab, _net.Node1, "n1", s.Config("MASTER", 102, 1, 2, "veth1"));
        master.WaitForState("MASTER", Startup(s));
        VrrpHost backup = VrrpHost.Start(_net.Lab, _net.Node2, "n2", s.Config("BACKUP", 101, 2, 1, "veth2"));
        backup.WaitForState("BACKUP", Startup(s));
        Thread.Sleep(s.Interval * 2);

        DateTimeOffset stopped = master.Terminate(TimeSpan.FromSeconds(10));
        TransitionLine takeover = backup.WaitForStateSince("MASTER", stopped, TimeSpan.FromSeconds(5));

        Assert.Contains(master.Transitions, t => t.From == "MASTER" && t.To == "STOPPED");
        Assert.Equal(0, master.Process!.ExitCode);
        // It took over on the priority-0 advert (after Skew_Time), not because the adverts stopped (Master_Down_Interval).
        Assert.True(takeover.Reason == "MasterLeft", $"the backup took over for {takeover.Reason}, not on the priority-0 advert.\n{backup.Log}");
    }

    public static TheoryData<string, bool> InteropMatrix()
    {
        TheoryData<string, bool> data = [];
        foreach (string scenario in new[] { "v2", "v3", "v3-ipv6" })
        {
            data.Add(scenario, true);
            data.Add(scenario, false);
        }

        data.Add("v2-pass", true);
        data.Add("v3-old-checksum", true);
        data.Add("v3-old-checksum", false);
        return data;
    }

    /// <summary>The same matrix against keepalived 2.4.3, and signed adverts (auth_hmac) for v2, v3 and IPv6 both ways.</summary>
    public static TheoryData<string, bool> InteropMatrixNewest()
    {
        TheoryData<string, bool> data = [];
        foreach (string scenario in new[] { "v2", "v3", "v3-ipv6", "v2-hmac", "v3-hmac", "v3-ipv6-hmac" })
        {
            data.Add(scenario, true);
            data.Add(scenario, false);
        }

        data.Add("v2-pass", true);
        data.Add("v2-pass", false);
        return data;
    }

    [Theory]
    [MemberData(nameof(InteropMatrix))]
    public void With_keepalived_roles_crash_failover_and_preempt_back_work_both_ways(string scenarioName, bool weAreMaster) =>
        Interop(LabScenario.Get(scenarioName), weAreMaster, Keepalived.Debian);

    [Theory]
    [MemberData(nameof(InteropMatrixNewest))]
    public void With_keepalived_2_4_roles_crash_failover_and_preempt_back_work_both_ways(string scenarioName, bool weAreMaster) =>
        Interop(LabScenario.Get(scenarioName), weAreMaster, Keepalived.Newest);

    private void Interop(LabScenario s, bool weAreMaster, string version)
    {
        string masterConfig = s.Config("MASTER", 102, 1, 2, "veth1");
        string backupConfig = s.Config("BACKUP", 101, 2, 1, "veth2");
        VrrpHost? ours = null;
        Keepalived? keepalived = null;
        if (weAreMaster)
        {
            ours = VrrpHost.Start(_net.Lab, _net.Node1, "n1", masterConfig);
            ours.WaitForState("MASTER", Startup(s));
            keepalived = Keepalived.Start(_net.Lab, _net.Node2, "n2", backupConfig, version);
            keepalived.WaitFor("Entering BACKUP STATE", Startup(s));
            Thread.Sleep(s.MasterDownInterval(101) + s.Interval);
            Assert.False(keepalived.Logged("Entering MASTER STATE"), $"keepalived took over from our MASTER:\n{keepalived.Log}\nours:\n{ours.Log}");
            Assert.Equal("MASTER", ours.State);

            // Our MASTER crashes: keepalived takes over within its Master_Down_Interval.
            int mark = keepalived.Mark();
            ours.Kill();
            keepalived.WaitFor("Entering MASTER STATE", s.MasterDownInterval(101) + TimeSpan.FromSeconds(3), mark);

            // We come back with the higher priority and preempt; keepalived yields.
            mark = keepalived.Mark();
            ours.Restart();
            ours.WaitForState("MASTER", Startup(s) + s.MasterDownInterval(102));
            keepalived.WaitFor("Entering BACKUP STATE", TimeSpan.FromSeconds(5), mark);
        }
        else
        {
            keepalived = Keepalived.Start(_net.Lab, _net.Node1, "n1", masterConfig, version);
            keepalived.WaitFor("Entering MASTER STATE", Startup(s));
            ours = VrrpHost.Start(_net.Lab, _net.Node2, "n2", backupConfig);
            ours.WaitForState("BACKUP", Startup(s));
            Thread.Sleep(s.MasterDownInterval(101) + s.Interval);
            Assert.Equal("BACKUP", ours.State);

            // keepalived's MASTER crashes: we take over within our Master_Down_Interval.
            DateTimeOffset killed = keepalived.Kill();
            TransitionLine takeover = ours.WaitForStateSince("MASTER", killed, s.MasterDownInterval(101) + TimeSpan.FromSeconds(3));
            AssertCrashTakeover(takeover, ours);

            // keepalived comes back with the higher priority and preempts; we yield.
            int mark = ours.Mark();
            int keepalivedMark = keepalived.Mark();
            keepalived.Restart();
            keepalived.WaitFor("Entering MASTER STATE", Startup(s) + s.MasterDownInterval(102), keepalivedMark);
            ours.WaitForState("BACKUP", TimeSpan.FromSeconds(5), mark);
        }

        string[] complaints = [.. keepalived.Complaints().Where(l => !(s.OldChecksum && l.Contains("checksum to old version", StringComparison.Ordinal)))];
        Assert.True(complaints.Length == 0, "keepalived complained about our packets:\n" + string.Join('\n', complaints));
        if (s.Hmac is not null)
        {
            // Every advert either way was signed and verified: nothing dropped on our side.
            Assert.DoesNotContain("AuthHmac", ours!.Log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_password_mismatch_with_keepalived_is_refused_on_both_sides()
    {
        LabScenario s = LabScenario.Get("v2-pass");
        Keepalived keepalived = Keepalived.Start(_net.Lab, _net.Node1, "n1", s.Config("MASTER", 102, 1, 2, "veth1", password: "secret2"));
        keepalived.WaitFor("Entering MASTER STATE", Startup(s));
        VrrpHost ours = VrrpHost.Start(_net.Lab, _net.Node2, "n2", s.Config("BACKUP", 101, 2, 1, "veth2", password: "secret1"));

        // Neither accepts the other's adverts: we count auth drops and take over; keepalived logs the bad password.
        ours.WaitForState("MASTER", Startup(s) + s.MasterDownInterval(101));
        keepalived.WaitFor(l => l.Contains("invalid passwd", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(5), "an invalid password complaint");
        Assert.Contains("AuthFailure", ours.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_CAP_NET_RAW_the_host_stops_with_a_clear_error()
    {
        LabScenario s = LabScenario.Get("v3");
        string config = Path.Combine(_net.Lab.Directory, "unprivileged.conf");
        File.WriteAllText(config, s.Config("MASTER", 102, 1, 2, "veth1"));
        File.SetUnixFileMode(_net.Lab.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p && File.Exists(p) ? p : Prerequisites.RequireProgram("dotnet", "the .NET SDK");
        string setpriv = Prerequisites.RequireProgram("setpriv", "util-linux");

        (int exit, string output) = NetnsLab.Exec(_net.Node1, setpriv,
            $"--reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all env DOTNET_CLI_HOME=/tmp HOME=/tmp {dotnet} {Path.Combine(AppContext.BaseDirectory, "vrrp.dll")} run --config {config}");

        Assert.True(exit == 3, $"exit {exit}: {output}");
        Assert.Contains("needs root or the CAP_NET_RAW capability", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The systemd unit of docs/operations.md, as a process: an unprivileged user (nobody) holding only CAP_NET_RAW and
    /// CAP_NET_ADMIN (ambient, so the `ip` it runs has them too) becomes MASTER, adds the virtual address, announces
    /// it, writes its state file, and on SIGTERM releases the address and exits 0 — with no warning on the way.
    /// </summary>
    [Fact]
    public void As_nobody_with_only_CAP_NET_RAW_and_CAP_NET_ADMIN_the_host_runs_holds_and_releases_the_address()
    {
        LabScenario s = LabScenario.Get("v3");
        string directory = Directory.CreateDirectory(Path.Combine(_net.Lab.Directory, "least-privilege")).FullName;
        string config = Path.Combine(directory, "vrrp.conf");
        File.WriteAllText(config, s.Config("MASTER", 102, 1, 2, "veth1", extra: "    garp_master_delay 0\n"));
        File.SetUnixFileMode(_net.Lab.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.Equal(0, NetnsLab.Exec(_net.Node1, "chown", $"65534:65534 {directory}").Exit); // the unit's RuntimeDirectory
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p && File.Exists(p) ? p : Prerequisites.RequireProgram("dotnet", "the .NET SDK");
        string setpriv = Prerequisites.RequireProgram("setpriv", "util-linux");
        ConcurrentQueue<string> log = new();
        string stateFile = Path.Combine(directory, "state.json");

        Process host = _net.Lab.Start(_net.Node1, setpriv,
            "--reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+net_raw,+net_admin --ambient-caps=+net_raw,+net_admin --bounding-set=-all,+net_raw,+net_admin "
            + $"env DOTNET_CLI_HOME=/tmp HOME=/tmp {dotnet} {Path.Combine(AppContext.BaseDirectory, "vrrp.dll")} run --config {config} --state-file {stateFile}",
            log.Enqueue);
        string Log() => string.Join('\n', log);

        // ip netns exec, setpriv and env exec one another: the PID is the host's, and the kernel shows what it holds.
        Poll.Until(() => log.Any(l => l.Contains("to=MASTER", StringComparison.Ordinal)), Startup(s), "MASTER as nobody", Log);
        string status = File.ReadAllText($"/proc/{host.Id}/status");
        Assert.Matches(@"\nUid:\s+65534\s+65534\s+65534\s+65534\n", status);
        Assert.Matches(@"\nCapEff:\s+0000000000003000\n", status); // CAP_NET_ADMIN (12) and CAP_NET_RAW (13), nothing else
        Poll.Until(() => NetnsLab.Ip($"-n {_net.Node1} -o addr show dev veth1").Contains($" {s.Vip} ", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the virtual address added", Log);
        Poll.Until(() => log.Any(l => l.Contains("announcement(s) per address now", StringComparison.Ordinal)), TimeSpan.FromSeconds(5), "the gratuitous ARPs sent", Log);
        Poll.Until(() => File.Exists(stateFile), TimeSpan.FromSeconds(10), "the state file written", Log);

        using (Process kill = Process.Start("kill", ["-TERM", host.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
            Assert.Equal(0, kill.ExitCode);
        }

        Assert.True(host.WaitForExit(15_000), Log());
        Assert.True(host.ExitCode == 0, $"exit {host.ExitCode}: {Log()}");
        Assert.DoesNotContain($" {s.Vip} ", NetnsLab.Ip($"-n {_net.Node1} -o addr show dev veth1"), StringComparison.Ordinal);
        Assert.DoesNotContain(log, l => l.Contains(" warn: ", StringComparison.Ordinal) || l.Contains(" fail: ", StringComparison.Ordinal) || l.StartsWith("error", StringComparison.Ordinal));
    }

    private static TimeSpan Startup(LabScenario s) => TimeSpan.FromSeconds(10) + (4 * s.MasterDownInterval(1));

    // No bound on how long a takeover took: load on a 2-core machine stretches it (or, by starving the MASTER before
    // the crash, shortens it), and the figures belong to benchmarks/failover/run.sh (docs/benchmarks.md). What load
    // cannot change is the cause: the first takeover after the crash is on Master_Down.
    private static void AssertCrashTakeover(TransitionLine takeover, VrrpHost host) =>
        Assert.True(takeover.Reason == "MasterDown", $"the backup took over for {takeover.Reason}, not on Master_Down.\n{host.Log}");
}
