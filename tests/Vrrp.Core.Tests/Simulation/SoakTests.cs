using System.Globalization;
using Vrrp.Routing;

namespace Vrrp.Tests.Simulation;

/// <summary>
/// A long soak in virtual time: three VRRPv2 routers (1 s adverts) on the in-memory network with a random fault
/// every few virtual minutes — crash/restart, graceful stop/restart, two-way partition, loss burst, tracker failure —
/// and after each heal: exactly one MASTER, the right one; statistics counters only grow and agree with the wire;
/// and the MASTER's advert_sent over each quiet stretch equals the stretch / advert_int (no timer drift).
/// Hours of virtual time: <c>VRRP_SOAK_HOURS</c> (default <see cref="DefaultHours"/>, the full day; see docs/testing.md).
/// </summary>
public class SoakTests
{
    /// <summary>The full virtual day runs in about 5 s; VRRP_SOAK_HOURS sets another length (e.g. 168 for a week).</summary>
    public const double DefaultHours = 24;

    private static readonly TimeSpan FaultStep = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan QuietStep = TimeSpan.FromMilliseconds(250);

    private static double Hours =>
        double.TryParse(Environment.GetEnvironmentVariable("VRRP_SOAK_HOURS"), NumberStyles.Float, CultureInfo.InvariantCulture, out double hours) && hours > 0 ? hours : DefaultHours;

    private enum Fault
    {
        CrashMaster,
        CrashRandom,
        StopMaster,
        Partition,
        LossBurst,
        TrackerFailure,
    }

    [Fact]
    public void Three_routers_survive_a_virtual_day_of_random_faults()
    {
        ClusterSpec spec = new([new HostSpec(150, true, false, -60), new HostSpec(120, true, false, null), new HostSpec(100, true, false, null)], 2, 1000);
        SimCluster cluster = new(spec, seed: 9);
        Random random = new(2026);
        TimeSpan end = TimeSpan.FromHours(Hours);
        DateTimeOffset start = cluster.Time.GetUtcNow();
        Dictionary<VirtualRouter, IReadOnlyDictionary<string, long>> last = [];
        Dictionary<Fault, int> faults = [];
        long quietAdverts = 0;
        TimeSpan quietTime = TimeSpan.Zero;

        cluster.Time.Run(2 * (cluster.MaxMasterDownInterval + cluster.Interval), FaultStep);
        AssertRightMaster(cluster);

        // Bounded: each round advances the clock by at least two virtual minutes.
        for (int round = 0; cluster.Time.GetUtcNow() - start < end; round++)
        {
            // A quiet stretch of 2–6 virtual minutes: no transitions, and the MASTER sends exactly one advert per second.
            SimHost master = AssertRightMaster(cluster);
            long sentBefore = master.Router!.GetStatistics().AdvertisementsSent;
            long[] becomeBefore = [.. cluster.Hosts.Select(h => h.Router!.GetStatistics().BecomeMaster)];
            TimeSpan quiet = TimeSpan.FromSeconds(random.Next(120, 360));
            cluster.Time.Run(quiet, QuietStep);
            long sent = master.Router.GetStatistics().AdvertisementsSent - sentBefore;
            double expected = quiet / cluster.Interval;
            Assert.True(Math.Abs(sent - expected) <= 1, $"round {round}: MASTER #{master.Index} sent {sent} adverts in {quiet.TotalSeconds} s (expected {expected}): timer drift. {cluster.Describe()}");
            Assert.Equal(becomeBefore, cluster.Hosts.Select(h => h.Router!.GetStatistics().BecomeMaster));
            quietAdverts += sent;
            quietTime += quiet;

            // A fault for 5–60 virtual seconds, then everything heals.
            Fault fault = (Fault)random.Next(Enum.GetValues<Fault>().Length);
            faults[fault] = faults.GetValueOrDefault(fault) + 1;
            int other = random.Next(cluster.Hosts.Length);
            switch (fault)
            {
                case Fault.CrashMaster:
                    master.Crash();
                    break;
                case Fault.CrashRandom:
                    cluster.Hosts[other].Crash();
                    break;
                case Fault.StopMaster:
                    master.Router.Shutdown();
                    break;
                case Fault.Partition:
                    SimHost a = cluster.Hosts[other], b = cluster.Hosts[(other + 1 + random.Next(2)) % cluster.Hosts.Length];
                    cluster.Network.Partition(a.Transport, b.Transport);
                    cluster.Network.Partition(b.Transport, a.Transport);
                    break;
                case Fault.LossBurst:
                    cluster.Network.DefaultLink = cluster.Network.DefaultLink with { DropProbability = random.Next(20, 80) / 100.0 };
                    break;
                case Fault.TrackerFailure:
                    cluster.Hosts[0].SetCheck(false);
                    break;
            }

            cluster.Time.Run(TimeSpan.FromSeconds(random.Next(5, 60)), FaultStep);
            CheckCounters(cluster, last, round);
            cluster.Connect();
            cluster.RestartAll();
            cluster.Hosts[0].SetCheck(true);

            // After the heal: one MASTER, the best, within Master_Down_Interval + one interval; counters agree.
            cluster.Time.Run(cluster.MaxMasterDownInterval + cluster.Interval + FaultStep, FaultStep);
            AssertRightMaster(cluster, $"round {round} after {fault}");
            CheckCounters(cluster, last, round);
        }

        cluster.CheckInvariants();
        Assert.True(faults.Count == Enum.GetValues<Fault>().Length, $"not every fault kind ran: {string.Join(", ", faults)}");
        double rate = quietAdverts / (quietTime / cluster.Interval);
        Assert.InRange(rate, 0.999, 1.001);
    }

    private static SimHost AssertRightMaster(SimCluster cluster, string when = "start")
    {
        SimHost[] masters = [.. cluster.Hosts.Where(h => h.IsUp && h.Router!.State == VrrpState.Master)];
        Assert.True(masters.Length == 1, $"{when}: expected one MASTER, got {masters.Length}: {cluster.Describe()}");
        SimHost best = cluster.Live.OrderByDescending(h => h, Comparer<SimHost>.Create(SimCluster.Compare)).First();
        Assert.True(masters[0] == best, $"{when}: MASTER is #{masters[0].Index}, expected #{best.Index}: {cluster.Describe()}");
        return best;
    }

    /// <summary>Every counter of every router incarnation only grows; sent and received agree with the transport.</summary>
    private static void CheckCounters(SimCluster cluster, Dictionary<VirtualRouter, IReadOnlyDictionary<string, long>> last, int round)
    {
        foreach (VirtualRouter router in cluster.Hosts.SelectMany(h => h.Incarnations))
        {
            IReadOnlyDictionary<string, long> now = router.GetStatistics().ToDictionary();
            if (last.TryGetValue(router, out IReadOnlyDictionary<string, long>? before))
            {
                foreach ((string name, long value) in before)
                {
                    Assert.True(now[name] >= value, $"round {round}: {name} of {router} went down from {value} to {now[name]}");
                }
            }

            last[router] = now;
        }

        cluster.CheckInvariants();
    }
}
