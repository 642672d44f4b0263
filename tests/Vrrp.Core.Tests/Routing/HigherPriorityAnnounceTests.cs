using Vrrp.Routing;

namespace Vrrp.Tests.Routing;

/// <summary>keepalived's <c>higher_prio_send_advert</c>: a MASTER that yields says so first.</summary>
public class HigherPriorityAnnounceTests
{
    [Theory]
    [InlineData(false, new[] { "Backup:HigherPriorityAdvertisement" })]
    [InlineData(true, new[] { "send:100", "Backup:HigherPriorityAdvertisement" })]
    public void A_master_hearing_a_higher_priority_announces_only_when_configured(bool announce, string[] expectedAfter)
    {
        using RouterHarness h = new(o => o.AnnounceOnHigherPriority = announce);
        h.Router.Start();
        h.Advance(h.Router.MasterDownInterval + TimeSpan.FromMilliseconds(10));
        Assert.Equal(VrrpState.Master, h.Router.State);
        int before = h.Log.Count;

        h.Receive(150, RouterHarness.HigherPeer);

        Assert.Equal(VrrpState.Backup, h.Router.State);
        Assert.Equal(expectedAfter, h.Log.Skip(before));
    }
}
