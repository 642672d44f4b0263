using FsCheck;
using FsCheck.Fluent;
using Vrrp.Routing;

namespace Vrrp.Tests.Simulation;

/// <summary>
/// Properties over random clusters (2–5 routers, random priorities, preemption, trackers) and random chaos
/// schedules (crash, restart, graceful shutdown, partition, heal, loss, tracker changes). Runs per property:
/// <c>VRRP_PROPERTY_RUNS</c> (default 150); see docs/testing.md.
/// </summary>
public class ClusterProperties
{
    private static readonly int Runs = int.TryParse(Environment.GetEnvironmentVariable("VRRP_PROPERTY_RUNS"), out int runs) && runs > 0 ? runs : 150;

    private static readonly Gen<HostSpec> HostGen =
        from priority in Gen.Choose(1, 254)
        from preempt in Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false)))
        from initialMaster in Gen.Elements(true, false)
        from tracker in Gen.Elements<int?>(null, null, 0, 20, -30)
        select new HostSpec(priority, preempt, initialMaster && preempt, tracker);

    private static readonly Gen<ClusterSpec> ClusterGen =
        from count in Gen.Choose(2, 5)
        from hosts in Gen.ArrayOf(HostGen, count)
        from timing in Gen.Elements((2, 1000), (3, 100), (3, 300), (3, 1000))
        select new ClusterSpec(hosts, timing.Item1, timing.Item2);

    private static readonly Gen<Step> StepGen =
        from kind in Gen.Elements(Enum.GetValues<StepKind>())
        from host in Gen.Choose(0, 4)
        from other in Gen.Choose(0, 4)
        from percent in Gen.Elements(0, 10, 30, 60)
        from wait in Gen.Choose(0, 4000)
        select new Step(kind, host, other, percent, wait);

    private static readonly Arbitrary<(ClusterSpec Cluster, Step[] Steps, int Seed)> ScenarioArb =
        (from cluster in ClusterGen
         from steps in Gen.ArrayOf(StepGen, 8)
         from seed in Gen.Choose(0, int.MaxValue)
         select (cluster, steps, seed)).ToArbitrary();

    private static readonly Arbitrary<(ClusterSpec Cluster, int Seed)> ClusterArb =
        (from cluster in ClusterGen
         from seed in Gen.Choose(0, int.MaxValue)
         select (cluster, seed)).ToArbitrary();

    private static Config Config => Config.QuickThrowOnFailure.WithMaxTest(Runs).WithQuietOnSuccess(true);

    /// <summary>(a) After chaos, once connected and loss-free for Master_Down_Interval + one interval: one MASTER, the best one (unless nopreempt keeps an incumbent).</summary>
    [Fact]
    public void ConnectedPartitionConvergesToTheBestMaster() =>
        Check.One(Config, Prop.ForAll(ScenarioArb, scenario =>
        {
            SimCluster cluster = new(scenario.Cluster, scenario.Seed);
            foreach (Step step in scenario.Steps)
            {
                cluster.Apply(step);
            }

            cluster.Connect();
            cluster.Run(cluster.MaxMasterDownInterval + cluster.Interval + TimeSpan.FromMilliseconds(50));
            AssertSingleBestMaster(cluster);
            cluster.CheckInvariants();
        }));

    /// <summary>(b) After a MASTER crashes, the best backup is MASTER within its Master_Down_Interval + one interval.</summary>
    [Fact]
    public void CrashedMasterIsReplacedWithinMasterDownInterval() =>
        Check.One(Config, Prop.ForAll(ClusterArb, scenario =>
        {
            SimCluster cluster = new(scenario.Cluster, scenario.Seed);
            cluster.Run(2 * (cluster.MaxMasterDownInterval + cluster.Interval));
            SimHost? master = AssertSingleBestMaster(cluster);
            if (master is null)
            {
                return;
            }

            master.Crash();
            SimHost? best = cluster.Live.OrderByDescending(h => h, Comparer<SimHost>.Create(SimCluster.Compare)).FirstOrDefault();
            if (best is null)
            {
                return;
            }

            cluster.Run(best.Router!.MasterDownInterval + cluster.Interval);
            Assert.True(best.Router.State == VrrpState.Master, $"best backup not MASTER in time: {cluster.Describe()}");
            AssertSingleBestMaster(cluster);
            cluster.CheckInvariants();
        }));

    /// <summary>(c) After a graceful shutdown of the MASTER, the best backup is MASTER within Skew_Time + tolerance.</summary>
    [Fact]
    public void ShutdownMasterIsReplacedWithinSkewTime() =>
        Check.One(Config, Prop.ForAll(ClusterArb, scenario =>
        {
            SimCluster cluster = new(scenario.Cluster, scenario.Seed);
            cluster.Run(2 * (cluster.MaxMasterDownInterval + cluster.Interval));
            SimHost? master = AssertSingleBestMaster(cluster);
            if (master is null)
            {
                return;
            }

            master.Router!.Shutdown();
            SimHost? best = cluster.Live.OrderByDescending(h => h, Comparer<SimHost>.Create(SimCluster.Compare)).FirstOrDefault();
            if (best is null)
            {
                return;
            }

            TimeSpan tolerance = TimeSpan.FromMilliseconds(Math.Min(100, cluster.Spec.IntervalMs / 2));
            cluster.Run(best.Router!.SkewTime + tolerance);
            Assert.True(best.Router.State == VrrpState.Master, $"best backup not MASTER within Skew_Time: {cluster.Describe()}");
            cluster.Run(cluster.Interval);
            AssertSingleBestMaster(cluster);
            cluster.CheckInvariants();
        }));

    private static SimHost? AssertSingleBestMaster(SimCluster cluster)
    {
        SimHost[] live = [.. cluster.Live];
        if (live.Length == 0)
        {
            return null;
        }

        SimHost[] masters = [.. live.Where(h => h.Router!.State == VrrpState.Master)];
        Assert.True(masters.Length == 1, $"expected one MASTER, got {masters.Length}: {cluster.Describe()}");
        SimHost master = masters[0];
        foreach (SimHost other in live)
        {
            if (other != master && SimCluster.Compare(other, master) > 0)
            {
                // Only nopreempt lets a lower incumbent stay — or an equal priority: the address breaks a tie between two
                // MASTERs, but a BACKUP never preempts a MASTER of its own priority (RFC 9568 6.4.2: "greater than or
                // equal" resets its Master_Down_Timer). Replay (17048955771339146225,720686490834692161,74) hit it.
                bool samePriority = other.Router!.EffectivePriority == master.Router!.EffectivePriority;
                Assert.True(!other.Spec.Preempt || samePriority, $"#{other.Index} beats MASTER #{master.Index} yet is BACKUP: {cluster.Describe()}");
            }
        }

        return master;
    }
}
