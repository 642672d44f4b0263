using Microsoft.Extensions.Time.Testing;
using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Tests.Routing;

public class RouterTimingTests
{
    [Theory]
    [InlineData(2, 100, 1000, 609_375)] // (256-100)/256 s
    [InlineData(2, 254, 3000, 7_812.5)]
    [InlineData(2, 1, 1000, 996_093.75)]
    [InlineData(3, 100, 1000, 609_375)] // ((256-100) × 1 s)/256
    [InlineData(3, 100, 100, 60_937.5)]
    [InlineData(3, 200, 40_950, 8_957_812.5)]
    public void SkewTimeAndMasterDownInterval(int version, int priority, int intervalMs, double skewMicroseconds)
    {
        using RouterHarness h = new(o =>
        {
            o.Version = (VrrpVersion)version;
            o.Priority = priority;
            o.AdvertisementInterval = TimeSpan.FromMilliseconds(intervalMs);
        });
        TimeSpan skew = TimeSpan.FromTicks((long)(skewMicroseconds * 10));
        Assert.Equal(skew, h.Router.SkewTime);
        Assert.Equal((3 * TimeSpan.FromMilliseconds(intervalMs)) + skew, h.Router.MasterDownInterval);
    }

    [Fact]
    public void FakeTimeProviderFiresTimersInOrderWithinOneAdvance()
    {
        FakeTimeProvider time = new();
        List<int> fired = [];
        using ITimer a = time.CreateTimer(_ => fired.Add(2), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        using ITimer b = time.CreateTimer(_ => fired.Add(1), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal([1, 2], fired);
    }
}
