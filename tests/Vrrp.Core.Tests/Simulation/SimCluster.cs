using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Packets;
using Vrrp.Routing;
using Vrrp.Transports;

namespace Vrrp.Tests.Simulation;

/// <summary>One host of a generated cluster: priority, preemption, an optional tracker (weight, or null for none).</summary>
public sealed record HostSpec(int Priority, bool Preempt, bool InitialMaster, int? TrackerWeight);

/// <summary>A generated cluster: hosts, protocol version and interval in milliseconds.</summary>
public sealed record ClusterSpec(HostSpec[] Hosts, int Version, int IntervalMs)
{
    public override string ToString() => $"v{Version} {IntervalMs}ms [{string.Join("; ", Hosts.Select((h, i) => $"#{i} {h}"))}]";
}

/// <summary>What a schedule step does.</summary>
public enum StepKind
{
    Wait,
    Crash,
    Restart,
    Shutdown,
    Partition,
    Heal,
    Loss,
    TrackerFail,
    TrackerOk,
}

/// <summary>One step of a chaos schedule, followed by a wait.</summary>
public sealed record Step(StepKind Kind, int Host, int Other, int Percent, int WaitMs);

/// <summary>A cluster of <see cref="VrrpNode"/>s on an <see cref="InMemoryNetwork"/> driven by a fake clock.</summary>
internal sealed class SimCluster
{
    public SimCluster(ClusterSpec spec, int seed)
    {
        Spec = spec;
        Network = new InMemoryNetwork(Time, seed);
        Interval = TimeSpan.FromMilliseconds(spec.IntervalMs);
        Hosts = [.. spec.Hosts.Select((h, i) => new SimHost(this, i, h))];
        foreach (SimHost host in Hosts)
        {
            host.Boot();
        }
    }

    public ClusterSpec Spec { get; }

    public FakeTimeProvider Time { get; } = new();

    public InMemoryNetwork Network { get; }

    public TimeSpan Interval { get; }

    public SimHost[] Hosts { get; }

    public IEnumerable<SimHost> Live => Hosts.Where(h => h.IsUp && h.Router!.State is VrrpState.Master or VrrpState.Backup);

    public TimeSpan Step => Interval < TimeSpan.FromMilliseconds(200) ? TimeSpan.FromMilliseconds(5) : TimeSpan.FromMilliseconds(10);

    /// <summary>The worst Master_Down_Interval of the cluster (priority 1).</summary>
    public TimeSpan MaxMasterDownInterval => (3 * Interval) + (Spec.Version == 2 ? TimeSpan.FromTicks(255 * TimeSpan.TicksPerSecond / 256) : TimeSpan.FromTicks(255 * Interval.Ticks / 256));

    public void Run(TimeSpan duration) => Time.Run(duration, Step);

    public void Apply(Step step)
    {
        SimHost host = Hosts[step.Host % Hosts.Length];
        SimHost other = Hosts[step.Other % Hosts.Length];
        switch (step.Kind)
        {
            case StepKind.Crash when host.IsUp:
                host.Crash();
                break;
            case StepKind.Restart when !host.IsUp || host.Router!.State == VrrpState.Stopped:
                host.Restart();
                break;
            case StepKind.Shutdown when host.IsUp:
                host.Router!.Shutdown();
                break;
            case StepKind.Partition when host != other:
                Network.Partition(host.Transport, other.Transport);
                Network.Partition(other.Transport, host.Transport);
                break;
            case StepKind.Heal:
                Network.HealAll();
                break;
            case StepKind.Loss:
                Network.DefaultLink = Network.DefaultLink with { DropProbability = step.Percent / 100.0 };
                break;
            case StepKind.TrackerFail:
                host.SetCheck(false);
                break;
            case StepKind.TrackerOk:
                host.SetCheck(true);
                break;
        }

        Run(TimeSpan.FromMilliseconds(step.WaitMs));
    }

    /// <summary>Heals every partition and removes loss.</summary>
    public void Connect()
    {
        Network.HealAll();
        Network.ResetLinks();
        Network.DefaultLink = InMemoryLink.Perfect;
    }

    /// <summary>Restarts every crashed or stopped host.</summary>
    public void RestartAll()
    {
        foreach (SimHost host in Hosts)
        {
            if (!host.IsUp || host.Router!.State == VrrpState.Stopped)
            {
                host.Restart();
            }
        }
    }

    public static int Compare(SimHost a, SimHost b)
    {
        int byPriority = a.Router!.EffectivePriority.CompareTo(b.Router!.EffectivePriority);
        return byPriority != 0 ? byPriority : a.Address.GetAddressBytes().AsSpan().SequenceCompareTo(b.Address.GetAddressBytes());
    }

    public string Describe() => $"{Spec} at {Time.GetUtcNow():HH:mm:ss.fff}: " + string.Join(", ", Hosts.Select(h => h.ToString()));

    /// <summary>(d) a BACKUP never sends, and (e) counters agree with what really crossed the transport.</summary>
    public void CheckInvariants()
    {
        foreach (SimHost host in Hosts)
        {
            host.CheckNoSendOutsideMaster();
            long sent = host.Incarnations.Sum(r => r.GetStatistics().AdvertisementsSent);
            long received = host.Incarnations.Sum(r => r.GetStatistics().AdvertisementsReceived);
            long drops = host.Incarnations.Sum(r => r.GetStatistics().TotalDropped - r.GetStatistics().GetDrops(VrrpDropReason.NotRunning));
            if (sent * (Hosts.Length - 1) != host.Transport.MessagesSent)
            {
                throw new InvalidOperationException($"host {host.Index}: advert_sent {sent} × {Hosts.Length - 1} peers != {host.Transport.MessagesSent} sent on the wire. {Describe()}");
            }

            if (received != host.Transport.MessagesReceived)
            {
                throw new InvalidOperationException($"host {host.Index}: advert_rcvd {received} != {host.Transport.MessagesReceived} delivered. {Describe()}");
            }

            if (drops != 0)
            {
                throw new InvalidOperationException($"host {host.Index}: {drops} unexpected drops. {Describe()}");
            }
        }
    }
}

internal sealed class SimHost
{
    private readonly SimCluster _cluster;
    private readonly List<(bool Send, int Value, VrrpState State)> _log = [];
    private bool _checkOk = true;

    public SimHost(SimCluster cluster, int index, HostSpec spec)
    {
        _cluster = cluster;
        Index = index;
        Spec = spec;
        Address = IPAddress.Parse($"10.0.0.{index + 1}");
        Transport = cluster.Network.AddNode(Address);
    }

    public int Index { get; }

    public HostSpec Spec { get; }

    public IPAddress Address { get; }

    public InMemoryTransport Transport { get; }

    public VrrpNode? Node { get; private set; }

    public VirtualRouter? Router { get; private set; }

    public List<VirtualRouter> Incarnations { get; } = [];

    public bool IsUp => !Transport.IsCrashed;

    public void Boot()
    {
        VirtualRouterOptions options = new()
        {
            Name = $"host{Index}",
            VirtualRouterId = 51,
            Version = (VrrpVersion)_cluster.Spec.Version,
            Priority = Spec.Priority,
            AdvertisementInterval = _cluster.Interval,
            InitialState = Spec.InitialMaster ? VrrpInitialState.Master : VrrpInitialState.Backup,
            Preempt = Spec.Preempt,
            UnicastSource = Address,
        };
        options.Peers = [.. Enumerable.Range(0, _cluster.Spec.Hosts.Length).Where(i => i != Index).Select(i => new VrrpPeer(IPAddress.Parse($"10.0.0.{i + 1}")))];
        if (Spec.TrackerWeight is { } weight)
        {
            options.Trackers = [new VrrpTrackerOptions("check", weight)];
        }

        Node = new VrrpNode(new RecordingTransport(Transport, this), _cluster.Time);
        VirtualRouter router = Node.AddRouter(options);
        router.StateChanged += (_, t) => _log.Add((false, 0, t.NewState));
        if (Spec.TrackerWeight is not null)
        {
            router.ReportTrackerResult("check", _checkOk);
        }

        Router = router;
        Incarnations.Add(router);
        _log.Add((false, 0, VrrpState.Initialize));
        router.Start();
    }

    public void Crash()
    {
        Transport.Crash();
        Node!.Dispose();
    }

    public void Restart()
    {
        Node!.Dispose();
        Transport.Restart();
        Boot();
    }

    public void SetCheck(bool ok)
    {
        _checkOk = ok;
        if (Spec.TrackerWeight is not null && IsUp)
        {
            Router!.ReportTrackerResult("check", ok);
        }
    }

    public void RecordSend(int priority) => _log.Add((true, priority, default));

    /// <summary>
    /// Outputs are delivered in RFC order (advert, announce, then the transition event), so a send seen while the
    /// last reported state is not MASTER must be the becoming-MASTER advert: the next entry is the transition to MASTER.
    /// Priority-0 adverts are sent on leaving MASTER, reported after the send as well.
    /// </summary>
    public void CheckNoSendOutsideMaster()
    {
        VrrpState state = VrrpState.Initialize;
        for (int i = 0; i < _log.Count; i++)
        {
            var (send, priority, newState) = _log[i];
            if (!send)
            {
                state = newState;
                continue;
            }

            if (state == VrrpState.Master || priority == 0)
            {
                continue;
            }

            bool becomingMaster = i + 1 < _log.Count && !_log[i + 1].Send && _log[i + 1].State == VrrpState.Master;
            if (!becomingMaster)
            {
                throw new InvalidOperationException($"host {Index} sent priority {priority} while {state}. {_cluster.Describe()}");
            }
        }
    }

    public override string ToString() => $"#{Index} {(IsUp ? Router!.State.ToString() : "crashed")} p{Router!.EffectivePriority}";

    private sealed class RecordingTransport(InMemoryTransport inner, SimHost host) : IVrrpTransport
    {
        public bool Send(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, byte timeToLive)
        {
            // One log entry per advert (the node sends one copy per peer, the lowest peer first).
            if (destination.Equals(host._cluster.Hosts.First(h => h != host).Address))
            {
                host.RecordSend(message[2]);
            }

            return inner.Send(message, source, destination, timeToLive);
        }

        public IDisposable RegisterReceiver(VrrpDatagramHandler handler) => inner.RegisterReceiver(handler);

        public void Dispose()
        {
        }
    }
}
