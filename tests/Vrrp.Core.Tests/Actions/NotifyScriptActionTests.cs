using System.Diagnostics;
using Vrrp.Actions;
using Vrrp.Configuration;
using Vrrp.Routing;

namespace Vrrp.Tests.Actions;

/// <summary>Notify scripts as real processes (/bin/sh scripts writing to a temporary file).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NotifyScriptActionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vrrp-notify-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Scripts_get_exactly_keepalived_arguments_as_argv_without_a_shell()
    {
        string log = Path.Combine(_directory, "log");
        string master = Script("master.sh", $"printf 'master' >> {log}; for a in \"$@\"; do printf '|%s' \"$a\" >> {log}; done; echo >> {log}");
        string notify = Script("notify.sh", $"printf 'notify' >> {log}; for a in \"$@\"; do printf '|%s' \"$a\" >> {log}; done; echo >> {log}");
        string stop = Script("stop.sh", $"echo stop >> {log}");
        NotifyScriptAction action = new(new NotifyScriptActionOptions
        {
            InstanceName = "VI_1",
            Master = [master, "one arg; $HOME", "*"],
            Stop = [stop],
            Generic = [notify, "x"],
        });

        await action.OnEventAsync(Event(1, VrrpState.Master, 102), CancellationToken.None);
        await action.OnEventAsync(Event(2, VrrpState.Backup, 102), CancellationToken.None);
        await action.OnEventAsync(Event(3, VrrpState.Stopped, 0), CancellationToken.None);
        await action.OnEventAsync(Event(4, VrrpState.Master, 100, instance: "VI_2"), CancellationToken.None);

        Assert.Equal(
            ["master|one arg; $HOME|*", "notify|x|INSTANCE|VI_1|MASTER|102", "notify|x|INSTANCE|VI_1|BACKUP|102", "stop", "notify|x|INSTANCE|VI_1|STOP|0"],
            File.ReadAllLines(log));
    }

    [Fact]
    public void Imported_keepalived_scripts_become_the_same_commands()
    {
        KeepalivedConfiguration configuration = KeepalivedImporter.ImportText("""
            vrrp_instance VI_1 {
                virtual_router_id 47
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2
                }
                notify_master "/bin/m a"
                notify_backup /bin/b
                notify_stop /bin/s
                notify "/bin/n x"
            }
            """);
        NotifyScriptAction action = NotifyScriptAction.FromKeepalived(configuration.Instances.Single(), TimeSpan.FromSeconds(5));

        Assert.Equal("notify:VI_1", action.Name);
        Assert.Equal([["/bin/m", "a"], ["/bin/n", "x", "INSTANCE", "VI_1", "MASTER", "102"]], action.CommandsFor(Event(1, VrrpState.Master, 102)).Select(c => c.ToArray()));
        Assert.Equal([["/bin/s"], ["/bin/n", "x", "INSTANCE", "VI_1", "STOP", "102"]], action.CommandsFor(Event(1, VrrpState.Stopped, 102)).Select(c => c.ToArray()));
        Assert.Equal([["/bin/n", "x", "INSTANCE", "VI_1", "FAULT", "102"]], action.CommandsFor(Event(1, VrrpState.Fault, 102)).Select(c => c.ToArray()));
        Assert.Empty(action.CommandsFor(Event(1, VrrpState.Master, 102, instance: "VI_2")));
    }

    [Fact]
    public async Task A_burst_runs_the_scripts_in_transition_order_even_when_earlier_ones_are_slower()
    {
        string log = Path.Combine(_directory, "order");
        string notify = Script("notify.sh", $"case \"$3\" in MASTER) sleep 0.2;; esac; echo \"$3 $4\" >> {log}");
        await using FailoverActionPipeline pipeline = new();
        pipeline.Add(new NotifyScriptAction(new NotifyScriptActionOptions { Generic = [notify] }));
        PipelineRecorder recorder = new(pipeline);
        List<string> expected = [];
        for (int i = 1; i <= 6; i++)
        {
            VrrpState state = i % 2 == 1 ? VrrpState.Master : VrrpState.Backup;
            pipeline.Post(new VrrpTransition("VI_1", VrrpState.Backup, state, VrrpTransitionReason.MasterDown, 100 + i, default));
            expected.Add($"{(state == VrrpState.Master ? "MASTER" : "BACKUP")} {100 + i}");
        }

        await recorder.WaitForOutcomeAsync("notify", 6);

        Assert.All(recorder.Outcomes("notify"), o => Assert.Equal(FailoverActionResult.Succeeded, o.Result));
        Assert.Equal(expected, File.ReadAllLines(log));
    }

    [Fact]
    public async Task A_hanging_script_is_killed_with_its_children_at_its_timeout()
    {
        string pids = Path.Combine(_directory, "pids");
        string hang = Script("hang.sh", $"sleep 30 & echo \"$$ $!\" > {pids}; wait");
        NotifyScriptAction action = new(new NotifyScriptActionOptions { Master = [hang], ScriptTimeout = TimeSpan.FromSeconds(1) });
        Stopwatch watch = Stopwatch.StartNew();

        TimeoutException timeout = await Assert.ThrowsAsync<TimeoutException>(() => action.OnEventAsync(Event(1, VrrpState.Master, 100), CancellationToken.None));

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Contains("killed", timeout.Message, StringComparison.Ordinal);
        int[] both = [.. File.ReadAllText(pids).Split(' ', StringSplitOptions.TrimEntries).Select(int.Parse)];
        Assert.All(both, pid => Assert.True(IsGone(pid), $"process {pid} is still running"));
    }

    [Fact]
    public async Task A_failing_or_missing_script_fails_the_event_but_the_next_script_still_runs()
    {
        string log = Path.Combine(_directory, "log");
        string notify = Script("notify.sh", $"echo ran >> {log}");
        NotifyScriptAction failing = new(new NotifyScriptActionOptions { Master = [Script("fail.sh", "exit 3")], Generic = [notify] });
        NotifyScriptAction missing = new(new NotifyScriptActionOptions { Master = [Path.Combine(_directory, "absent")], Generic = [notify] });

        NotifyScriptException failed = await Assert.ThrowsAsync<NotifyScriptException>(() => failing.OnEventAsync(Event(1, VrrpState.Master, 100), CancellationToken.None));
        NotifyScriptException absent = await Assert.ThrowsAsync<NotifyScriptException>(() => missing.OnEventAsync(Event(1, VrrpState.Master, 100), CancellationToken.None));

        Assert.Contains("exited with 3", failed.Message, StringComparison.Ordinal);
        Assert.Contains("could not start", absent.Message, StringComparison.Ordinal);
        Assert.Equal(["ran", "ran"], File.ReadAllLines(log));
    }

    [Fact]
    public void Invalid_options_name_the_field()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new NotifyScriptAction(new NotifyScriptActionOptions { Backup = [" "], ScriptTimeout = TimeSpan.Zero }));
        Assert.Contains("Backup", e.Message, StringComparison.Ordinal);
        Assert.Contains("ScriptTimeout", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sync_group_runs_its_scripts_on_group_transitions_with_keepalived_GROUP_arguments()
    {
        string log = Path.Combine(_directory, "group");
        string master = Script("gmaster.sh", $"echo gmaster >> {log}");
        string notify = Script("gnotify.sh", $"echo \"$*\" >> {log}");
        KeepalivedConfiguration configuration = KeepalivedImporter.ImportText($$"""
            vrrp_instance A {
                virtual_router_id 1
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2
                }
            }
            vrrp_instance B {
                virtual_router_id 2
                priority 50
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2
                }
            }
            vrrp_sync_group G {
                group {
                    A
                    B
                }
                notify_master {{master}}
                notify "{{notify}} x"
            }
            """);
        Microsoft.Extensions.Time.Testing.FakeTimeProvider time = new();
        using VirtualRouter a = new(configuration.Instances[0].Options, time);
        using VirtualRouter b = new(configuration.Instances[1].Options, time);
        KeepalivedSyncGroup imported = configuration.SyncGroups.Single();
        VrrpSyncGroup group = new(imported.Name, a, b);
        await using FailoverActionPipeline pipeline = new();
        List<FailoverEventKind> seenByPlainAction = [];
        pipeline.Add(NotifyScriptAction.ForSyncGroup(imported, TimeSpan.FromSeconds(10)));
        pipeline.Add(new DelegateFailoverAction("plain", e => { lock (seenByPlainAction) { seenByPlainAction.Add(e.Kind); } }));
        PipelineRecorder recorder = new(pipeline);
        pipeline.Attach(a);
        pipeline.Attach(b);
        pipeline.Attach(group);

        a.Start();
        b.Start();
        time.Advance(a.MasterDownInterval + TimeSpan.FromMilliseconds(1));
        a.Shutdown();
        b.Shutdown();
        await recorder.WaitUntilAsync(e => e.OfType<FailoverActionCompleted>().Count(o => o.ActionName == "notify-group:G" && o.Event.Kind == FailoverEventKind.SyncGroupChanged) >= 3, "three group events");

        Assert.Equal(["x GROUP G BACKUP 0", "gmaster", "x GROUP G MASTER 0", "x GROUP G STOP 0"], File.ReadAllLines(log));
        await recorder.WaitForOutcomeAsync("plain", 6);
        lock (seenByPlainAction)
        {
            Assert.DoesNotContain(FailoverEventKind.SyncGroupChanged, seenByPlainAction);
        }
    }

    internal static bool IsGone(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static FailoverEvent Event(long sequence, VrrpState state, int priority, string instance = "VI_1") =>
        FailoverEvent.FromTransition(sequence, new VrrpTransition(instance, VrrpState.Backup, state, VrrpTransitionReason.MasterDown, priority, default))!;

    private string Script(string name, string body)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
