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
