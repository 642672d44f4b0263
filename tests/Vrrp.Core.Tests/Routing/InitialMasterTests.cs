using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Tests.Routing;

/// <summary>
/// keepalived's <c>state MASTER</c> below priority 255: it starts in BACKUP but takes over after one advertisement
/// interval plus the smallest skew (v2: 1/256 s; v3: the interval / 256), not after Master_Down_Interval — and a
/// master that speaks first keeps it BACKUP.
/// </summary>
public class InitialMasterTests
{
    [Theory]
    [InlineData(2, 1000, 1000 + (1000.0 / 256))]
    [InlineData(3, 1000, 1000 + (1000.0 / 256))]
    [InlineData(3, 100, 100 + (100.0 / 256))]
    [InlineData(3, 2500, 2500 + (2500.0 / 256))]
    public void An_initial_master_takes_over_after_one_interval_and_the_smallest_skew(int version, int intervalMs, double expectedMs)
    {
        using RouterHarness h = new(o =>
        {
            o.Version = (VrrpVersion)version;
            o.AdvertisementInterval = TimeSpan.FromMilliseconds(intervalMs);
            o.InitialState = VrrpInitialState.Master;
        });
        TimeSpan expected = TimeSpan.FromMilliseconds(expectedMs);
        Assert.True(expected < h.Router.MasterDownInterval);
        h.Router.Start();
        Assert.Equal(VrrpState.Backup, h.Router.State);

        h.Advance(expected - TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1));
        Assert.Equal(VrrpState.Backup, h.Router.State);
        Assert.Empty(h.Sent);
        h.Advance(TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(1));
        Assert.Equal(VrrpState.Master, h.Router.State);
        Assert.Equal(["Backup:Startup", "send:100", "announce", "Master:MasterDown"], h.Log);
    }

    [Fact]
    public void An_initial_backup_still_waits_master_down_interval()
    {
        using RouterHarness h = new();
        h.Router.Start();
        h.Advance(h.Options.AdvertisementInterval * 2);
        Assert.Equal(VrrpState.Backup, h.Router.State);
        h.Advance(h.Router.MasterDownInterval - (h.Options.AdvertisementInterval * 2) + TimeSpan.FromMilliseconds(20));
        Assert.Equal(VrrpState.Master, h.Router.State);
    }

    [Fact]
    public void A_higher_master_heard_first_keeps_the_initial_master_backup()
    {
        using RouterHarness h = new(o => o.InitialState = VrrpInitialState.Master);
        h.Router.Start();
        h.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(VrrpParseStatus.Success, h.Receive(h.Advert(200)));
        // Heard a master: the full Master_Down_Interval applies from now on.
        h.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(VrrpState.Backup, h.Router.State);
        Assert.Empty(h.Sent);
    }

    [Fact]
    public void After_a_fault_clears_an_initial_master_again_takes_over_after_one_interval()
    {
        using RouterHarness h = new(o => o.InitialState = VrrpInitialState.Master);
        h.Router.SetInterfaceState(false);
        h.Router.Start();
        Assert.Equal(VrrpState.Fault, h.Router.State);
        h.Advance(TimeSpan.FromSeconds(10));
        h.Router.SetInterfaceState(true);
        Assert.Equal(VrrpState.Backup, h.Router.State);
        h.Advance(TimeSpan.FromMilliseconds(1000 + 10), TimeSpan.FromMilliseconds(1));
        Assert.Equal(VrrpState.Master, h.Router.State);
        Assert.Equal(VrrpTransitionReason.MasterDown, h.Transitions[^1].Reason);
    }
}

/// <summary><see cref="VirtualRouter.StartResumingMaster"/>: a configuration reload carries a MASTER over without a gap.</summary>
public class ResumeMasterTests
{
    [Fact]
    public void A_resumed_master_advertises_and_announces_at_once()
    {
        using RouterHarness h = new(o => o.Priority = 100);
        h.Router.StartResumingMaster();
        Assert.Equal(VrrpState.Master, h.Router.State);
        Assert.Equal(["send:100", "announce", "Master:Reload"], h.Log);
        h.Advance(h.Options.AdvertisementInterval + TimeSpan.FromMilliseconds(5));
        Assert.Equal(2, h.Sent.Count);
        Assert.Throws<InvalidOperationException>(h.Router.StartResumingMaster);
        Assert.Throws<InvalidOperationException>(h.Router.Start);
    }

    [Fact]
    public void A_resumed_master_still_yields_to_a_higher_priority()
    {
        using RouterHarness h = new(o => o.Priority = 100);
        h.Router.StartResumingMaster();
        Assert.Equal(VrrpParseStatus.Success, h.Receive(h.Advert(200)));
        Assert.Equal(VrrpState.Backup, h.Router.State);
        Assert.Equal(VrrpTransitionReason.HigherPriorityAdvertisement, h.Transitions[^1].Reason);
    }

    [Fact]
    public void A_fault_at_resume_is_a_fault_not_a_master()
    {
        using RouterHarness h = new();
        h.Router.SetInterfaceState(false);
        h.Router.StartResumingMaster();
        Assert.Equal(VrrpState.Fault, h.Router.State);
        Assert.Empty(h.Sent);
    }
}
