using System.Net;
using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Tests.Routing;

public class StateMachineTests
{
    private static readonly TimeSpan Epsilon = TimeSpan.FromMilliseconds(20);

    [Fact]
    public void BackupBecomesMasterAfterMasterDownInterval()
    {
        using RouterHarness h = new();
        h.Router.Start();
        Assert.Equal(VrrpState.Backup, h.Router.State);
        Assert.Empty(h.Sent);
        h.Advance(h.Router.MasterDownInterval - Epsilon);
        Assert.Equal(VrrpState.Backup, h.Router.State);
        h.Advance(Epsilon * 2);
        Assert.Equal(VrrpState.Master, h.Router.State);
        Assert.Equal(["Backup:Startup", "send:100", "announce", "Master:MasterDown"], h.Log);
        Assert.Equal(VrrpTransitionReason.MasterDown, h.Transitions[^1].Reason);
    }

    [Fact]
    public void MasterAdvertisesEveryInterval()
    {
        using RouterHarness h = new(o => o.Priority = 255);
        h.Router.Start();
        Assert.Single(h.Sent);
        h.Advance(TimeSpan.FromSeconds(10) + Epsilon);
        Assert.Equal(11, h.Sent.Count);
        Assert.Equal(11, h.Router.GetStatistics().AdvertisementsSent);
    }

    [Fact]
    public void OwnerGoesStraightToMaster()
    {
        using RouterHarness h = new(o => o.Priority = 255);
        h.Router.Start();
        Assert.Equal(VrrpState.Master, h.Router.State);
        Assert.Equal(["send:255", "announce", "Master:AddressOwner"], h.Log);
    }

    [Theory]
    [InlineData(VrrpInitialState.Master, 90, VrrpState.Master)]
    [InlineData(VrrpInitialState.Master, 110, VrrpState.Backup)]
    [InlineData(VrrpInitialState.Backup, 90, VrrpState.Master)]
    [InlineData(VrrpInitialState.Backup, 110, VrrpState.Backup)]
    public void InitialMasterWaitsInBackupAndYieldsToBetterMaster(VrrpInitialState initial, int masterPriority, VrrpState expected)
    {
        using RouterHarness h = new(o => o.InitialState = initial);
        h.Router.Start();
        Assert.Equal(VrrpState.Backup, h.Router.State);
        for (int i = 0; i < 10; i++)
        {
            h.Receive(masterPriority);
            h.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(expected, h.Router.State);
    }

    [Fact]
    public void PriorityZeroMakesBackupTakeOverAfterSkewTime()
    {
        using RouterHarness h = new();
        h.Router.Start();
        h.Receive(150);
        h.Receive(0);
        Assert.Equal(1, h.Router.GetStatistics().PriorityZeroReceived);
        h.Advance(h.Router.SkewTime - Epsilon);
        Assert.Equal(VrrpState.Backup, h.Router.State);
        h.Advance(Epsilon * 2);
        Assert.Equal(VrrpState.Master, h.Router.State);
        Assert.Equal(VrrpTransitionReason.MasterLeft, h.Transitions[^1].Reason);
    }

    [Fact]
    public void ShutdownOfMasterSendsPriorityZero()
    {
        using RouterHarness h = new(o => o.Priority = 255);
        h.Router.Start();
        h.Router.Shutdown();
        Assert.Equal(VrrpState.Stopped, h.Router.State);
        Assert.Equal(0, h.Sent[^1].Priority);
        VrrpStatistics stats = h.Router.GetStatistics();
        Assert.Equal(1, stats.PriorityZeroSent);
        Assert.Equal(1, stats.ReleaseMaster);
        Assert.Equal(1, stats.BecomeMaster);
        h.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(2, h.Sent.Count);
    }

    [Fact]
    public void ShutdownOfBackupSendsNothing()
    {
        using RouterHarness h = new();
        h.Router.Start();
        h.Router.Shutdown();
        Assert.Empty(h.Sent);
        Assert.Equal(VrrpState.Stopped, h.Router.State);
    }

    [Theory]
    [InlineData(150, "10.0.0.1", VrrpState.Backup)] // higher priority
    [InlineData(100, "10.0.0.3", VrrpState.Backup)] // equal priority, higher address
    [InlineData(100, "10.0.0.1", VrrpState.Master)] // equal priority, lower address
    [InlineData(50, "10.0.0.3", VrrpState.Master)] // lower priority
    public void MasterComparesPriorityThenAddress(int priority, string source, VrrpState expected)
    {
        using RouterHarness h = new();
        h.Router.Start();
        h.Advance(h.Router.MasterDownInterval + Epsilon);
        Assert.Equal(VrrpState.Master, h.Router.State);
        int sent = h.Sent.Count;
        h.Receive(priority, IPAddress.Parse(source));
        Assert.Equal(expected, h.Router.State);
        if (expected == VrrpState.Master)
        {
            Assert.Equal(sent + 1, h.Sent.Count); // answered at once
            Assert.Single(h.LowerHeard);
            Assert.Equal(priority, h.LowerHeard[0].Priority);
            Assert.Equal(IPAddress.Parse(source), h.LowerHeard[0].Source);
        }
        else
        {
            Assert.Equal(VrrpTransitionReason.HigherPriorityAdvertisement, h.Transitions[^1].Reason);
            Assert.Equal(1, h.Router.GetStatistics().ReleaseMaster);
        }
    }

    [Fact]
    public void LowerPriorityWithoutAnswerStillRaisesEvent()
    {
        using RouterHarness h = new(o => { o.Priority = 255; o.AnswerLowerPriorityAdvertisements = false; });
        h.Router.Start();
        h.Receive(50);
        Assert.Single(h.Sent);
        Assert.Single(h.LowerHeard);
    }

    [Fact]
    public void MasterAnswersPriorityZeroAtOnce()
    {
        using RouterHarness h = new(o => o.Priority = 255);
        h.Router.Start();
        h.Receive(0);
        Assert.Equal(2, h.Sent.Count);
        Assert.Equal(VrrpState.Master, h.Router.State);
    }

    [Theory]
    [InlineData(true, VrrpState.Master)]
    [InlineData(false, VrrpState.Backup)]
    public void PreemptionDiscardsLowerAdverts(bool preempt, VrrpState expected)
    {
        using RouterHarness h = new(o => o.Preempt = preempt);
        h.Router.Start();
        for (int i = 0; i < 10; i++)
        {
            h.Receive(50);
            h.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(expected, h.Router.State);
    }

    [Fact]
    public void PreemptDelayPostponesTakeover()
    {
        using RouterHarness h = new(o => o.PreemptDelay = TimeSpan.FromSeconds(10));
        h.Router.Start();
        int takeoverSecond = -1;
        for (int i = 0; i < 30 && takeoverSecond < 0; i++)
        {
            h.Receive(50);
            h.Advance(TimeSpan.FromSeconds(1));
            if (h.Router.State == VrrpState.Master)
            {
                takeoverSecond = i + 1;
            }
        }

        // Lower adverts reset the timer until 10 s, then are discarded: master about Master_Down_Interval later.
        Assert.InRange(takeoverSecond, 13, 15);
    }

    [Fact]
    public void BackupLearnsV3IntervalAndCountsMismatch()
    {
        using RouterHarness h = new(o => o.Version = VrrpVersion.V3);
        h.Router.Start();
        h.Receive(h.Advert(150, TimeSpan.FromSeconds(2)));
        Assert.Equal(TimeSpan.FromSeconds(2), h.Router.MasterAdvertisementInterval);
        Assert.Equal(TimeSpan.FromSeconds(6) + TimeSpan.FromTicks(156 * 2 * TimeSpan.TicksPerSecond / 256), h.Router.MasterDownInterval);
        Assert.Equal(1, h.Router.GetStatistics().IntervalMismatchesIgnored);
        h.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(VrrpState.Backup, h.Router.State); // learned 2 s interval: 6 s is not enough
        h.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(VrrpState.Master, h.Router.State);
        Assert.Equal(TimeSpan.FromSeconds(1), h.Router.MasterAdvertisementInterval);
    }

    [Fact]
    public void PriorityChangeWhileMasterIsCarriedByNextAdvert()
    {
        using RouterHarness h = new(o => o.Trackers = [new VrrpTrackerOptions("chk", 20)]);
        h.Router.Start();
        h.Advance(h.Router.MasterDownInterval + Epsilon);
        Assert.Equal(120, h.Sent[^1].Priority);
        h.Router.ReportTrackerResult("chk", false);
        Assert.Equal(100, h.Router.EffectivePriority);
        h.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(100, h.Sent[^1].Priority);
    }

    [Fact]
    public void BackupWhosePriorityRisesTakesOverAtMasterDownNotAtOnce()
    {
        using RouterHarness h = new(o => o.Trackers = [new VrrpTrackerOptions("chk", 20) { InitiallyFailed = true }]);
        h.Router.Start();
        h.Receive(110);
        h.Advance(TimeSpan.FromSeconds(1));
        h.Receive(110);
        h.Router.ReportTrackerResult("chk", true);
        Assert.Equal(120, h.Router.EffectivePriority);
        Assert.Equal(VrrpState.Backup, h.Router.State);
        TimeSpan downInterval = h.Router.MasterDownInterval;
        for (TimeSpan t = TimeSpan.Zero; t < downInterval - TimeSpan.FromSeconds(1); t += TimeSpan.FromSeconds(1))
        {
            h.Advance(TimeSpan.FromSeconds(1));
            h.Receive(110); // discarded: does not reset the down timer any more
        }

        Assert.Equal(VrrpState.Backup, h.Router.State);
        h.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(VrrpState.Master, h.Router.State);
    }

    [Fact]
    public void TransitionEventsAreOrderedAndReentrancySafe()
    {
        using RouterHarness h = new(o => o.Priority = 255);
        List<string> seen = [];
        h.Router.StateChanged += (_, t) =>
        {
            seen.Add($"{t.OldState}->{t.NewState}");
            if (t.NewState == VrrpState.Master)
            {
                h.Router.Shutdown(); // re-enters: delivered after this handler returns
                seen.Add("after-shutdown-call");
            }
        };
        h.Router.Start();
        Assert.Equal(["Initialize->Master", "after-shutdown-call", "Master->Stopped"], seen);
        Assert.Equal(255, h.Transitions[0].EffectivePriority);
        Assert.Equal(h.Time.GetUtcNow(), h.Transitions[0].Timestamp);
    }

    [Fact]
    public void HandlerExceptionsDoNotBreakTheRouter()
    {
        using RouterHarness h = new(o => o.Priority = 255);
        h.Router.StateChanged += (_, _) => throw new InvalidOperationException("user bug");
        h.Router.Start();
        Assert.Equal(VrrpState.Master, h.Router.State);
        h.Router.Shutdown();
        Assert.Equal(VrrpState.Stopped, h.Router.State);
    }

    [Fact]
    public void StartTwiceThrows()
    {
        using RouterHarness h = new();
        h.Router.Start();
        Assert.Throws<InvalidOperationException>(h.Router.Start);
    }

    [Fact]
    public void DisposeStopsSilently()
    {
        using RouterHarness h = new(o => o.Priority = 255);
        h.Router.Start();
        h.Router.Dispose();
        h.Advance(TimeSpan.FromSeconds(5));
        Assert.Single(h.Sent);
        Assert.Equal(VrrpState.Stopped, h.Router.State);
    }
}
