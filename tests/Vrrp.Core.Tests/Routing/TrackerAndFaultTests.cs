using Vrrp.Routing;

namespace Vrrp.Tests.Routing;

public class TrackerAndFaultTests
{
    [Theory]
    [InlineData(100, 20, false, true, 120)]
    [InlineData(100, 20, false, false, 100)]
    [InlineData(100, -30, false, true, 100)]
    [InlineData(100, -30, false, false, 70)]
    [InlineData(100, 20, true, true, 80)]
    [InlineData(100, 20, true, false, 100)]
    [InlineData(100, -30, true, false, 130)]
    [InlineData(250, 20, false, true, 254)] // clamped to 254
    [InlineData(10, -30, false, false, 1)] // clamped to 1
    [InlineData(255, -30, false, false, 255)] // the owner is never adjusted
    public void WeightRules(int priority, int weight, bool reverse, bool checkOk, int expected)
    {
        using RouterHarness h = new(o => { o.Priority = priority; o.Trackers = [new VrrpTrackerOptions("chk", weight) { Reverse = reverse }]; });
        h.Router.ReportTrackerResult("chk", checkOk);
        Assert.Equal(expected, h.Router.EffectivePriority);
    }

    [Fact]
    public void RiseAndFallCountConsecutiveResults()
    {
        VrrpTrackerState state = new(new VrrpTrackerOptions("chk", 0) { Rise = 2, Fall = 3 });
        Assert.True(state.IsUp);
        Assert.False(state.Report(false));
        Assert.False(state.Report(false));
        Assert.False(state.Report(true)); // streak broken
        Assert.False(state.Report(false));
        Assert.False(state.Report(false));
        Assert.True(state.Report(false));
        Assert.False(state.IsUp);
        Assert.True(state.CausesFault);
        Assert.False(state.Report(true));
        Assert.True(state.Report(true));
        Assert.True(state.IsUp);
    }

    [Fact]
    public void InitFailStartsFailing()
    {
        VrrpTrackerState state = new(new VrrpTrackerOptions("chk", 10) { InitiallyFailed = true });
        Assert.False(state.IsUp);
        Assert.Equal(0, state.PriorityAdjustment);
    }

    [Fact]
    public void WeightZeroTrackerFaultsAfterFallAndRecoversAfterRise()
    {
        using RouterHarness h = new(o => o.Trackers = [new VrrpTrackerOptions("chk") { Fall = 2, Rise = 2 }]);
        h.Router.Start();
        h.Router.ReportTrackerResult("chk", false);
        Assert.Equal(VrrpState.Backup, h.Router.State);
        h.Router.ReportTrackerResult("chk", false);
        Assert.Equal(VrrpState.Fault, h.Router.State);
        Assert.Equal(VrrpTransitionReason.TrackerFault, h.Transitions[^1].Reason);
        h.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(VrrpState.Fault, h.Router.State); // no down timer in FAULT
        h.Receive(150);
        Assert.Equal(VrrpState.Fault, h.Router.State);
        h.Router.ReportTrackerResult("chk", true);
        h.Router.ReportTrackerResult("chk", true);
        Assert.Equal(VrrpState.Backup, h.Router.State);
        Assert.Equal(VrrpTransitionReason.FaultCleared, h.Transitions[^1].Reason);
    }

    [Fact]
    public void MasterEnteringFaultSendsPriorityZero()
    {
        using RouterHarness h = new(o => o.Trackers = [new VrrpTrackerOptions("chk")]);
        h.Router.Start();
        h.Advance(h.Router.MasterDownInterval + TimeSpan.FromMilliseconds(20));
        Assert.Equal(VrrpState.Master, h.Router.State);
        h.Router.ReportTrackerResult("chk", false);
        Assert.Equal(VrrpState.Fault, h.Router.State);
        Assert.Equal(0, h.Sent[^1].Priority);
        Assert.Equal(1, h.Router.GetStatistics().ReleaseMaster);
    }

    [Fact]
    public void InterfaceDownIsFaultWithoutSending()
    {
        using RouterHarness h = new(o => o.Priority = 255);
        h.Router.Start();
        h.Router.SetInterfaceState(false);
        Assert.Equal(VrrpState.Fault, h.Router.State);
        Assert.Equal(VrrpTransitionReason.InterfaceDown, h.Transitions[^1].Reason);
        Assert.Single(h.Sent);
        h.Router.SetInterfaceState(true);
        Assert.Equal(VrrpState.Master, h.Router.State); // the owner leaves FAULT straight to MASTER
    }

    [Fact]
    public void StartInFaultWhenInterfaceIsDown()
    {
        using RouterHarness h = new();
        h.Router.SetInterfaceState(false);
        h.Router.Start();
        Assert.Equal(VrrpState.Fault, h.Router.State);
        h.Router.SetInterfaceState(true);
        Assert.Equal(VrrpState.Backup, h.Router.State);
    }

    [Fact]
    public void UnknownTrackerThrows()
    {
        using RouterHarness h = new();
        ArgumentException e = Assert.Throws<ArgumentException>(() => h.Router.ReportTrackerResult("nope", true));
        Assert.Equal("trackerName", e.ParamName);
    }
}
