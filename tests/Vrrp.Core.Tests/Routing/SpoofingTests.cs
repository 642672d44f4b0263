using Vrrp.Routing;

namespace Vrrp.Tests.Routing;

/// <summary>
/// Hostile adverts: what a forged or replayed priority 0 can and cannot do. VRRP has no replay protection (VRRPv2's
/// PASS is a clear-text password, VRRPv3 has none), so the defence is the peer list and the TTL window; what passes
/// them is bounded by the protocol itself.
/// </summary>
public class SpoofingTests
{
    [Fact]
    public void A_priority_zero_from_outside_the_peer_list_is_dropped_and_changes_nothing()
    {
        using RouterHarness h = new();
        h.Router.Start();
        h.Receive(150, RouterHarness.HigherPeer);
        h.Advance(TimeSpan.FromSeconds(1));

        h.Receive(0, RouterHarness.Stranger);
        h.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(VrrpState.Backup, h.Router.State);
        VrrpStatistics stats = h.Router.GetStatistics();
        Assert.Equal(1, stats.GetDrops(VrrpDropReason.SourceNotPeer));
        Assert.Equal(0, stats.PriorityZeroReceived);
    }

    [Fact]
    public void A_priority_zero_with_a_TTL_outside_the_peers_window_is_dropped()
    {
        // A forged packet from another subnet arrives with a lower TTL than the directly connected peer's 255.
        using RouterHarness h = new(o => o.Peers = [new VrrpPeer(RouterHarness.HigherPeer, 255, 255)]);
        h.Router.Start();
        h.Receive(150, RouterHarness.HigherPeer);

        h.Receive(0, RouterHarness.HigherPeer, ttl: 63);
        h.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(VrrpState.Backup, h.Router.State);
        Assert.Equal(1, h.Router.GetStatistics().GetDrops(VrrpDropReason.TimeToLive));
    }

    [Fact]
    public void A_replayed_priority_zero_from_the_masters_own_address_costs_at_most_one_interval_of_split_brain()
    {
        using RouterHarness h = new();
        h.Router.Start();
        h.Receive(150, RouterHarness.HigherPeer);
        h.Advance(TimeSpan.FromMilliseconds(200));

        // The replay passes every check (it is byte-for-byte the master's own resignation): the backup takes over
        // after Skew_Time, as the RFC requires.
        h.Receive(0, RouterHarness.HigherPeer);
        h.Advance(h.Router.SkewTime + TimeSpan.FromMilliseconds(10));
        Assert.Equal(VrrpState.Master, h.Router.State);

        // The real master is still alive: its next advert (within one interval) puts the backup back at once.
        h.Receive(150, RouterHarness.HigherPeer);
        Assert.Equal(VrrpState.Backup, h.Router.State);
        Assert.Equal(VrrpTransitionReason.HigherPriorityAdvertisement, h.Transitions[^1].Reason);
        Assert.Equal(1, h.Router.GetStatistics().PriorityZeroReceived);
    }
}
