using Microsoft.Extensions.Time.Testing;
using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Tests.Routing;

public class SyncGroupTests
{
    private static (VirtualRouter A, VirtualRouter B, VrrpSyncGroup Group, FakeTimeProvider Time) Create(int priorityA = 100, int priorityB = 100)
    {
        FakeTimeProvider time = new();
        VirtualRouterOptions a = RouterHarness.CreateOptions();
        a.Name = "VI_A";
        a.Priority = priorityA;
        a.Trackers = [new VrrpTrackerOptions("chk")];
        VirtualRouterOptions b = RouterHarness.CreateOptions();
        b.Name = "VI_B";
        b.VirtualRouterId = 48;
        b.Priority = priorityB;
        VirtualRouter ra = new(a, time);
        VirtualRouter rb = new(b, time);
        return (ra, rb, new VrrpSyncGroup("G", ra, rb), time);
    }

    [Fact]
    public void FaultOfOneMemberFaultsTheGroupAndClearsTogether()
    {
        var (a, b, group, _) = Create();
        a.Start();
        b.Start();
        a.ReportTrackerResult("chk", false);
        Assert.Equal(VrrpState.Fault, a.State);
        Assert.Equal(VrrpState.Fault, b.State);
        Assert.Equal(VrrpState.Fault, group.State);
        a.ReportTrackerResult("chk", true);
        Assert.Equal(VrrpState.Backup, a.State);
        Assert.Equal(VrrpState.Backup, b.State);
    }

    [Fact]
    public void MembersBecomeMasterTogether()
    {
        var (a, b, group, time) = Create(100, 50);
        List<string> events = [];
        b.StateChanged += (_, t) => events.Add($"{t.NewState}:{t.Reason}");
        a.Start();
        b.Start();
        // A times out first (higher priority, shorter skew) and pulls B along.
        time.Advance(a.MasterDownInterval + TimeSpan.FromMilliseconds(1));
        Assert.Equal(VrrpState.Master, a.State);
        Assert.Equal(VrrpState.Master, b.State);
        Assert.Equal(["Backup:Startup", "Master:SyncGroup"], events);
        Assert.Equal(VrrpState.Master, group.State);
    }

    [Fact]
    public void MembersFallBackTogether()
    {
        var (a, b, _, time) = Create();
        a.Start();
        b.Start();
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal((VrrpState.Master, VrrpState.Master), (a.State, b.State));

        // A hears a better master and falls back to BACKUP: B follows.
        byte[] buffer = new byte[64];
        VrrpAdvertisement advert = VrrpAdvertisement.CreateV2(47, 200, 1, [RouterHarness.Vip]);
        VrrpCodec.TryWrite(advert, buffer, RouterHarness.HigherPeer, RouterHarness.Self, VrrpChecksumMode.MessageOnly, out int length);
        VrrpCodec.TryParse(buffer.AsSpan(0, length), RouterHarness.HigherPeer.GetAddressBytes(), RouterHarness.Self.GetAddressBytes(), 255, out VrrpPacket packet);
        a.ReceiveAdvertisement(packet);
        Assert.Equal((VrrpState.Backup, VrrpState.Backup), (a.State, b.State));
    }

    [Fact]
    public void RouterJoinsOneGroupOnly()
    {
        var (a, _, _, _) = Create();
        Assert.Throws<ArgumentException>(() => new VrrpSyncGroup("other", a));
    }
}

public class SyncGroupNotificationTests
{
    [Fact]
    public void The_group_reports_its_own_transitions_once_each()
    {
        FakeTimeProvider time = new();
        VirtualRouterOptions a = RouterHarness.CreateOptions();
        a.Name = "VI_A";
        a.Trackers = [new VrrpTrackerOptions("chk")];
        VirtualRouterOptions b = RouterHarness.CreateOptions();
        b.Name = "VI_B";
        b.VirtualRouterId = 48;
        b.Priority = 50;
        using VirtualRouter ra = new(a, time);
        using VirtualRouter rb = new(b, time);
        VrrpSyncGroup group = new("G", ra, rb);
        List<string> events = [];
        group.StateChanged += (_, t) => events.Add($"{t.GroupName}:{t.OldState}->{t.NewState}");

        ra.Start();
        rb.Start();
        time.Advance(ra.MasterDownInterval + TimeSpan.FromMilliseconds(1));
        ra.ReportTrackerResult("chk", false);
        ra.ReportTrackerResult("chk", true);
        ra.Shutdown();
        rb.Shutdown();

        // Both members moved each time; the group reports each of its own states once.
        Assert.Equal(["G:Initialize->Backup", "G:Backup->Master", "G:Master->Fault", "G:Fault->Backup", "G:Backup->Stopped"], events);
    }
}

public class FaultWithoutPeersTests
{
    [Fact]
    public void An_instance_without_peers_stays_in_fault_when_asked_and_never_advertises()
    {
        using RouterHarness harness = new(o =>
        {
            o.Peers = [];
            o.FaultWithoutPeers = true;
        });
        harness.Router.Start();
        harness.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(VrrpState.Fault, harness.Router.State);
        Assert.Equal(VrrpTransitionReason.NoPeers, Assert.Single(harness.Transitions).Reason);
        Assert.Empty(harness.Sent);
    }

    [Fact]
    public void Without_the_option_an_instance_without_peers_runs_alone_and_becomes_master()
    {
        using RouterHarness harness = new(o => o.Peers = []);
        harness.Router.Start();
        harness.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(VrrpState.Master, harness.Router.State);
    }

    [Fact]
    public void The_option_does_nothing_when_there_are_peers()
    {
        using RouterHarness harness = new(o => o.FaultWithoutPeers = true);
        harness.Router.Start();

        Assert.Equal(VrrpState.Backup, harness.Router.State);
    }
}
