using Vrrp.Routing;
using Vrrp.Tests.Routing;
using Vrrp.Tracking;

namespace Vrrp.Tests.Tracking;

/// <summary>keepalived's weight rules driven end to end: results from a tracker, through a runner, into a router.</summary>
public class WeightRulesThroughTrackersTests
{
    public static TheoryData<int, int, bool, int, int, string, int, bool> Rules => new()
    {
        // priority, weight, reverse, rise, fall, results (S/F), expected priority, expected FAULT
        { 100, 20, false, 1, 1, "S", 120, false },
        { 100, 20, false, 1, 1, "F", 100, false },
        { 100, -30, false, 1, 1, "S", 100, false },
        { 100, -30, false, 1, 1, "F", 70, false },
        { 100, 20, true, 1, 1, "S", 80, false },
        { 100, 20, true, 1, 1, "F", 100, false },
        { 100, -30, true, 1, 1, "S", 100, false },
        { 100, -30, true, 1, 1, "F", 130, false },
        { 100, 0, false, 1, 1, "S", 100, false },
        { 100, 0, false, 1, 1, "F", 100, true },
        { 100, 0, true, 1, 1, "S", 100, true },
        { 100, 0, true, 1, 1, "F", 100, false },
        { 100, -30, false, 1, 3, "FF", 100, false },
        { 100, -30, false, 1, 3, "FFF", 70, false },
        { 100, -30, false, 1, 3, "FFSFF", 100, false },
        { 100, 20, false, 2, 1, "FS", 100, false },
        { 100, 20, false, 2, 1, "FSS", 120, false },
        { 100, 0, false, 2, 2, "FF", 100, true },
        { 100, 0, false, 2, 2, "FFS", 100, true },
        { 100, 0, false, 2, 2, "FFSS", 100, false },
        { 100, 0, true, 2, 2, "FF", 100, false },
        { 250, 20, false, 1, 1, "S", 254, false },
        { 10, -30, false, 1, 1, "F", 1, false },
        { 240, -30, true, 1, 1, "F", 254, false },
        { 20, 30, true, 1, 1, "S", 1, false },
        { 255, -30, false, 1, 1, "F", 255, false },
        { 255, 20, true, 1, 1, "S", 255, false },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task WeightRules(int priority, int weight, bool reverse, int rise, int fall, string results, int expectedPriority, bool expectedFault)
    {
        using RouterHarness h = new(o =>
        {
            o.Priority = priority;
            o.Trackers = [new VrrpTrackerOptions("chk", weight) { Reverse = reverse, Rise = rise, Fall = fall }];
        });
        await using TrackerRunner runner = new(new ScriptedTracker("chk", results), new TrackerOptions { Name = "chk" }, h.Time);
        runner.Attach(h.Router);
        h.Router.Start();
        runner.Start();
        for (int i = 0; i < results.Length; i++)
        {
            if (i > 0)
            {
                h.Time.Advance(TimeSpan.FromSeconds(1));
            }

            int expected = i + 1;
            await Eventually.TrueAsync(() => runner.CompletedChecks == expected, $"check {expected}");
        }

        Assert.Equal(expectedPriority, h.Router.EffectivePriority);
        Assert.Equal(expectedFault, h.Router.State == VrrpState.Fault);
    }
}
