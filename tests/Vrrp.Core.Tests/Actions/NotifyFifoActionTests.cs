using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Actions;
using Vrrp.Configuration;
using Vrrp.Routing;

namespace Vrrp.Tests.Actions;

/// <summary>The notify FIFO against a real FIFO (mkfifo) read by the test.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NotifyFifoActionTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("vrrp-fifo-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Every_event_is_one_keepalived_line_in_order()
    {
        KeepalivedConfiguration configuration = KeepalivedImporter.ImportText($$"""
            global_defs {
                vrrp_notify_fifo {{Path.Combine(_directory, "fifo")}}
            }
            vrrp_script chk {
                script /bin/true
                weight -30
            }
            vrrp_instance VI_1 {
                virtual_router_id 1
                priority 150
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2
                }
                track_script {
                    chk
                }
                notify_priority_changes
            }
            vrrp_instance VI_2 {
                virtual_router_id 2
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2
                }
                track_script {
                    chk
                }
            }
            vrrp_sync_group G {
                group {
                    VI_2
                }
                sync_group_tracking_weight
            }
            """);
        await using NotifyFifoAction fifo = NotifyFifoAction.FromKeepalived(configuration.NotifyFifos.Single(), configuration);
        fifo.Open();
        using StreamReader reader = new(new FileStream(fifo.Path, FileMode.Open, FileAccess.Read));
        FakeTimeProvider time = new();
        using VirtualRouter one = new(configuration.Instances[0].Options, time);
        using VirtualRouter two = new(configuration.Instances[1].Options, time);
        VrrpSyncGroup group = new("G", two);
        await using FailoverActionPipeline pipeline = new();
        pipeline.Add(fifo);
        pipeline.Attach(one);
        pipeline.Attach(two);
        pipeline.Attach(group);

        one.Start();
        time.Advance(one.MasterDownInterval + TimeSpan.FromMilliseconds(1));
        one.ReportTrackerResult("script:chk", false);
        pipeline.Post(new VrrpLowerPriorityAdvertisement("VI_1", IPAddress.Parse("192.0.2.2"), 50, 120));
        two.Start();
        two.ReportTrackerResult("script:chk", false);
        one.Shutdown();

        string[] expected =
        [
            "INSTANCE \"VI_1\" BACKUP 150",
            "INSTANCE \"VI_1\" MASTER 150",
            "INSTANCE \"VI_1\" MASTER_PRIORITY 120",
            "INSTANCE \"VI_1\" MASTER_RX_LOWER_PRI 120",
            "INSTANCE \"VI_2\" BACKUP 100",
            "GROUP \"G\" BACKUP 0",
            // VI_2's priority change is not written: notify_priority_changes is VI_1's only.
            "INSTANCE \"VI_1\" STOP 120",
        ];
        foreach (string line in expected)
        {
            Assert.Equal(line, await reader.ReadLineAsync().WaitAsync(Bound));
        }

        Assert.Equal(new NotifyFifoStatistics(expected.Length, 0, 0), fifo.GetStatistics());
    }

    [Fact]
    public async Task With_nobody_reading_writes_never_block_and_drops_are_counted()
    {
        await using NotifyFifoAction fifo = new(new NotifyFifoActionOptions { Path = Path.Combine(_directory, "unread") });
        fifo.Open();
        FailoverEvent master = FailoverEvent.FromTransition(1, new VrrpTransition("VI_1", VrrpState.Backup, VrrpState.Master, VrrpTransitionReason.MasterDown, 100, default))!;
        Stopwatch watch = Stopwatch.StartNew();

        for (int i = 0; i < 10_000; i++)
        {
            Assert.True(fifo.OnEventAsync(master, CancellationToken.None).IsCompletedSuccessfully);
        }

        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        NotifyFifoStatistics statistics = fifo.GetStatistics();
        // A pipe holds 16 pages of 4 KiB: about 2400 lines of 27 bytes, then every line is dropped whole.
        Assert.InRange(statistics.Written, 2000, 65_536 / "INSTANCE \"VI_1\" MASTER 100\n".Length);
        Assert.Equal(10_000 - statistics.Written, statistics.Dropped);
        Assert.Equal(0, statistics.Failed);
    }

    [Fact]
    public async Task The_reader_script_gets_the_path_as_last_argument_and_the_fifo_is_removed_at_the_end()
    {
        string output = Path.Combine(_directory, "read");
        string script = Path.Combine(_directory, "reader.sh");
        File.WriteAllText(script, $"#!/bin/sh\necho \"$1 $2\" > {output}.args\nexec cat \"$2\" > {output}\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string path = Path.Combine(_directory, "fifo");
        NotifyFifoAction fifo = new(new NotifyFifoActionOptions { Path = path, Script = [script, "first"] });
        fifo.Open();
        await WaitUntilAnotherProcessOpensAsync(path);
        await fifo.OnEventAsync(FailoverEvent.FromTransition(1, new VrrpTransition("VI_1", VrrpState.Backup, VrrpState.Master, VrrpTransitionReason.MasterDown, 100, default))!, CancellationToken.None);
        await fifo.OnEventAsync(FailoverEvent.FromSyncGroupTransition(2, new VrrpSyncGroupTransition("G", VrrpState.Backup, VrrpState.Fault, default)), CancellationToken.None);

        // Closing the FIFO is the reader's end of file: it exits within the grace.
        await fifo.DisposeAsync();

        Assert.Equal($"first {path}", File.ReadAllText(output + ".args").Trim());
        Assert.Equal(["INSTANCE \"VI_1\" MASTER 100", "GROUP \"G\" FAULT 0"], File.ReadAllLines(output));
        Assert.False(File.Exists(path));
    }

    /// <summary>The reader script has the FIFO open (else closing it before the reader opens would lose the lines, as with keepalived).</summary>
    private static async Task WaitUntilAnotherProcessOpensAsync(string path)
    {
        Stopwatch watch = Stopwatch.StartNew();
        while (watch.Elapsed < Bound)
        {
            foreach (string process in Directory.GetDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit) && Path.GetFileName(d) != Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                try
                {
                    if (Directory.GetFiles(Path.Combine(process, "fd")).Any(fd => new FileInfo(fd).LinkTarget == path))
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Gone or not ours to look at.
                }
            }

            await Task.Delay(20);
        }

        Assert.Fail($"no process opened {path}");
    }

    [Fact]
    public async Task A_path_that_is_not_a_fifo_is_refused_naming_it()
    {
        string file = Path.Combine(_directory, "plain");
        File.WriteAllText(file, "");
        await using NotifyFifoAction fifo = new(new NotifyFifoActionOptions { Path = file });

        IOException e = Assert.Throws<IOException>(fifo.Open);

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a FIFO", e.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(file));
    }

    [Fact]
    public void Fifo_keywords_import_with_their_script_and_user()
    {
        KeepalivedConfiguration configuration = KeepalivedImporter.ImportText("""
            global_defs {
                notify_fifo /run/k.fifo
                vrrp_notify_fifo /run/v.fifo nobody
                vrrp_notify_fifo_script "/usr/local/bin/reader --x" nobody
            }
            vrrp_instance A {
                virtual_router_id 1
                unicast_src_ip 192.0.2.1
                unicast_fault_no_peer
            }
            """);

        Assert.Empty(configuration.Unsupported);
        Assert.Equal(["notify_fifo", "vrrp_notify_fifo"], configuration.NotifyFifos.Select(f => f.Keyword));
        KeepalivedNotifyFifo vrrp = configuration.NotifyFifos[1];
        Assert.Equal("/run/v.fifo", vrrp.Path);
        Assert.Equal("nobody", vrrp.Owner?.UserName);
        Assert.Equal(["/usr/local/bin/reader", "--x"], vrrp.Script.ToArray());
        Assert.Equal("nobody", vrrp.ScriptUser?.UserName);
        Assert.Empty(configuration.NotifyFifos[0].Script);
    }

    [Theory]
    [InlineData("vrrp_notify_fifo relative.fifo", "absolute path")]
    [InlineData("vrrp_notify_fifo_script /bin/reader", "needs vrrp_notify_fifo")]
    [InlineData("notify_fifo /run/a.fifo\n vrrp_notify_fifo /run/a.fifo", "must be different FIFOs")]
    [InlineData("vrrp_notify_fifo /run/a.fifo no-such-user-xyz", "no user 'no-such-user-xyz'")]
    public void Bad_fifo_settings_are_errors(string settings, string message)
    {
        string text = $"global_defs {{\n {settings}\n}}\nvrrp_instance A {{\n virtual_router_id 1\n unicast_src_ip 192.0.2.1\n unicast_fault_no_peer\n}}\n";

        KeepalivedConfigException e = Assert.Throws<KeepalivedConfigException>(() => KeepalivedImporter.ImportText(text));

        Assert.Contains(message, Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }
}
