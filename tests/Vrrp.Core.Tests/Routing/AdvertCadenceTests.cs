using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Tests.Routing;

/// <summary>A MASTER keeps its advert cadence however late its timer fires: no drift over time.</summary>
public class AdvertCadenceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    public void Late_timer_firings_do_not_stretch_the_interval(int stepMilliseconds)
    {
        // The fake clock only moves in steps, so every firing is up to one step late, like a loaded machine's timers.
        using RouterHarness h = new(o =>
        {
            o.Version = VrrpVersion.V3;
            o.AdvertisementInterval = TimeSpan.FromMilliseconds(100);
        });
        h.Router.Start();
        h.Advance(h.Router.MasterDownInterval + TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(1));
        Assert.Equal(VrrpState.Master, h.Router.State);
        int before = h.Sent.Count;

        h.Advance(TimeSpan.FromSeconds(100), TimeSpan.FromMilliseconds(stepMilliseconds));

        Assert.InRange(h.Sent.Count - before, 999, 1001);
    }
}
