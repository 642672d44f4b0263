using System.Globalization;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vrrp.Diagnostics;
using Vrrp.Packets;
using Vrrp.Routing;
using Vrrp.Transports;

namespace Vrrp.Host.Demo;

/// <summary>What kind of line a <see cref="DemoEvent"/> is.</summary>
internal enum DemoEventKind
{
    /// <summary>A scripted step of the scenario (crash, health check, restart, ...).</summary>
    Step,

    /// <summary>A router changed state.</summary>
    Transition,

    /// <summary>A step's expected takeover, measured against its RFC bound.</summary>
    Verdict,
}

/// <summary>One line of the timeline.</summary>
/// <param name="Time">Simulated time since the start.</param>
/// <param name="Kind">What the line is.</param>
/// <param name="Router">The router concerned, or "scenario".</param>
/// <param name="Text">The transition (<c>BACKUP -> MASTER</c>) or the step's description.</param>
/// <param name="Detail">The reason, or the measured takeover against its bound.</param>
/// <param name="Ok">For a verdict, whether it held.</param>
internal sealed record DemoEvent(TimeSpan Time, DemoEventKind Kind, string Router, string Text, string Detail, bool Ok = true)
{
    /// <summary>The plain-text line: <c>[  3.420s] alpha    BACKUP -> MASTER  reason</c>.</summary>
    public override string ToString() => Kind switch
    {
        DemoEventKind.Step => string.Create(CultureInfo.InvariantCulture, $"[{Time.TotalSeconds,7:0.000}s] == {Text}: {Detail}"),
        DemoEventKind.Verdict => string.Create(CultureInfo.InvariantCulture, $"[{Time.TotalSeconds,7:0.000}s]    {(Ok ? "ok" : "FAILED")}: {Text} {Detail}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"[{Time.TotalSeconds,7:0.000}s] {Router,-8} {Text,-18} {Detail}"),
    };
}

/// <summary>One router of the demo as the views show it.</summary>
/// <param name="Name">The router's name.</param>
/// <param name="Address">Its unicast address.</param>
/// <param name="State">INIT, BACKUP, MASTER, FAULT, STOP or CRASHED.</param>
/// <param name="BasePriority">The configured priority.</param>
/// <param name="EffectivePriority">The priority after the health check's weight.</param>
/// <param name="HealthCheck">"ok" or "failing".</param>
/// <param name="AdvertsSent">keepalived advert_sent.</param>
/// <param name="AdvertsReceived">keepalived advert_rcvd.</param>
internal sealed record DemoRouterView(string Name, IPAddress Address, string State, int BasePriority, int EffectivePriority, string HealthCheck, long AdvertsSent, long AdvertsReceived);

/// <summary>
/// The scripted scenario of <c>vrrp demo</c>: three VRRPv3 routers (priorities 150/120/100, 1 s adverts, preempt)
/// on an <see cref="InMemoryNetwork"/> driven by a <see cref="FakeTimeProvider"/> advanced in 1 ms ticks. Each step
/// acts at a fixed simulated time and names the router expected to be MASTER before the next step and the RFC bound
/// of its takeover (Master_Down_Interval or Skew_Time).
/// </summary>
internal sealed class DemoScenario : IDisposable
{
    /// <summary>The simulation step: timers fire and messages arrive at its boundaries.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    /// <summary>The slack allowed over a bound: a timer fires at the end of its step, a message arrives one step later.</summary>
    public static readonly TimeSpan Tolerance = 2 * Tick;

    /// <summary>The name of each router's health check (weight 0: FAULT while failing, as keepalived's default).</summary>
    public const string HealthCheckName = "health";

    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Epoch);
    private readonly InMemoryNetwork _network;
    private readonly Member[] _members;
    private readonly List<DemoEvent> _events = [];
    private readonly Dictionary<string, DateTimeOffset> _lastTransitions = new(StringComparer.Ordinal);
    private readonly List<Step> _steps;
    private int _next;
    private Pending? _pending;

    /// <summary>Builds the network and the three routers (not started).</summary>
    public DemoScenario()
    {
        _network = new InMemoryNetwork(_time);
        (string Name, string Address, int Priority)[] specs = [("alpha", "192.0.2.1", 150), ("bravo", "192.0.2.2", 120), ("charlie", "192.0.2.3", 100)];
        _members = [.. specs.Select(s => new Member(this, s.Name, IPAddress.Parse(s.Address), s.Priority))];
        foreach (Member member in _members)
        {
            member.Peers = [.. _members.Where(m => m != member).Select(m => m.Address)];
            member.Transport = _network.AddNode(member.Address);
            member.Create();
        }

        Member alpha = _members[0], bravo = _members[1], charlie = _members[2];
        _steps =
        [
            new(TimeSpan.Zero, "start", "three routers start as BACKUP; the best (alpha, 150) wins the election", alpha, Bound.MasterDown, () =>
            {
                foreach (Member m in _members)
                {
                    m.Node.Start();
                }
            }),
            new(TimeSpan.FromSeconds(6), "crash alpha", "the MASTER's process dies: no priority-0 advert, the backups wait Master_Down_Interval", bravo, Bound.MasterDown, alpha.Crash),
            new(TimeSpan.FromSeconds(12), "health check fails on bravo", "weight 0: bravo goes FAULT, sends priority 0, charlie takes over after Skew_Time", charlie, Bound.Skew, () => bravo.ReportHealth(false)),
            new(TimeSpan.FromSeconds(15), "health check recovers on bravo", "bravo (120) re-enters BACKUP and preempts charlie (100)", bravo, Bound.MasterDown, () => bravo.ReportHealth(true)),
            new(TimeSpan.FromSeconds(21), "restart alpha", "alpha (150) starts as BACKUP and preempts bravo (120)", alpha, Bound.MasterDown, alpha.Restart),
            new(TimeSpan.FromSeconds(27), "shut alpha down gracefully", "alpha sends priority 0: bravo takes over after Skew_Time", bravo, Bound.Skew, alpha.Shutdown),
        ];
    }

    /// <summary>When the scenario ends (simulated).</summary>
    public static TimeSpan Duration { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Simulated time since the start.</summary>
    public TimeSpan Now => _time.GetUtcNow() - Epoch;

    /// <summary>Whether every step has run and the end was reached.</summary>
    public bool IsFinished => Now >= Duration && _next == _steps.Count && _pending is null;

    /// <summary>The timeline so far.</summary>
    public IReadOnlyList<DemoEvent> Events => _events;

    /// <summary>Raised for each new timeline line, in order.</summary>
    public event Action<DemoEvent>? EventAdded;

    /// <summary>The verdicts that failed.</summary>
    public IEnumerable<DemoEvent> Failures => _events.Where(e => e.Kind == DemoEventKind.Verdict && !e.Ok);

    /// <summary>The number of steps that passed their check.</summary>
    public int StepsPassed => _events.Count(e => e.Kind == DemoEventKind.Verdict && e.Ok);

    /// <summary>The number of scripted steps.</summary>
    public int StepCount => _steps.Count;

    /// <summary>The live routers (for the snapshot and the health check).</summary>
    public IEnumerable<VirtualRouter> LiveRouters => _members.Where(m => !m.Crashed).Select(m => m.Router);

    /// <summary>The time of each router's last transition, by name (for the snapshot's <c>last_transition</c>).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> LastTransitions => _lastTransitions;

    /// <summary>The routers as the views show them.</summary>
    public IReadOnlyList<DemoRouterView> Routers => [.. _members.Select(m => m.View())];

    /// <summary>Runs the simulation up to <paramref name="until"/> (capped at the end), executing due steps and checking each before the next.</summary>
    public void RunUntil(TimeSpan until)
    {
        if (until > Duration)
        {
            until = Duration;
        }

        while (Now < until)
        {
            if (_next < _steps.Count && _steps[_next].At <= Now)
            {
                Execute(_steps[_next++]);
            }

            _time.Advance(Tick);
        }

        if (Now >= Duration)
        {
            Verify();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (Member member in _members)
        {
            member.Node.Dispose();
        }
    }

    private void Execute(Step step)
    {
        Verify();
        Add(new DemoEvent(Now, DemoEventKind.Step, "scenario", step.Title, step.Description));
        step.Action();

        // The bound is the expected router's, once the step took effect (a restarted router exists only now).
        TimeSpan bound = step.Bound == Bound.MasterDown ? step.Expected.Router.MasterDownInterval : step.Expected.Router.SkewTime;
        _pending = new Pending(step, Now, bound);
    }

    /// <summary>Checks the pending step: its expected router is the only MASTER, and it took over within the bound.</summary>
    private void Verify()
    {
        if (_pending is not { } pending)
        {
            return;
        }

        _pending = null;
        Step step = pending.Step;
        string boundName = step.Bound == Bound.MasterDown ? "Master_Down_Interval" : "Skew_Time";
        string[] masters = [.. _members.Where(m => !m.Crashed && m.Router.State == VrrpState.Master).Select(m => m.Name)];
        string text = $"{step.Expected.Name} MASTER after '{step.Title}'";
        if (masters is not [var only] || only != step.Expected.Name)
        {
            Add(new DemoEvent(Now, DemoEventKind.Verdict, step.Expected.Name, text, $"- but MASTER is {(masters.Length == 0 ? "nobody" : string.Join(" and ", masters))}", Ok: false));
            return;
        }

        TimeSpan? tookOver = step.Expected.BecameMasterAt;
        if (tookOver is null || tookOver < pending.Start)
        {
            Add(new DemoEvent(Now, DemoEventKind.Verdict, step.Expected.Name, text, "- but it did not take over during the step", Ok: false));
            return;
        }

        TimeSpan took = tookOver.Value - pending.Start;
        bool ok = took <= pending.Bound + Tolerance;
        Add(new DemoEvent(Now, DemoEventKind.Verdict, step.Expected.Name, text, string.Create(CultureInfo.InvariantCulture,
            $"- took {took.TotalSeconds:0.000} s, bound {pending.Bound.TotalSeconds:0.000} s {boundName} (+{Tolerance.TotalMilliseconds:0} ms of simulation ticks){(ok ? "" : " EXCEEDED")}"), ok));
    }

    private void Add(DemoEvent e)
    {
        _events.Add(e);
        EventAdded?.Invoke(e);
    }

    private static string Describe(VrrpTransition transition, VirtualRouter router) => transition.Reason switch
    {
        VrrpTransitionReason.Startup => "start-up",
        VrrpTransitionReason.MasterDown => "no advert for Master_Down_Interval",
        VrrpTransitionReason.MasterLeft => "master left (priority 0) and Skew_Time passed",
        VrrpTransitionReason.HigherPriorityAdvertisement => router.CurrentMasterPriority > 0
            ? string.Create(CultureInfo.InvariantCulture, $"heard a higher priority ({router.CurrentMasterPriority} from {router.CurrentMaster})")
            : "heard a higher priority",
        VrrpTransitionReason.TrackerFault => "health check failed (weight 0: FAULT)",
        VrrpTransitionReason.FaultCleared => "health check recovered",
        VrrpTransitionReason.Shutdown => transition.OldState == VrrpState.Master ? "graceful shutdown (priority 0 sent)" : "graceful shutdown",
        _ => transition.Reason.ToString(),
    };

    private enum Bound
    {
        MasterDown,
        Skew,
    }

    private sealed record Step(TimeSpan At, string Title, string Description, Member Expected, Bound Bound, Action Action);

    private sealed record Pending(Step Step, TimeSpan Start, TimeSpan Bound);

    /// <summary>One simulated host: its transport, its node and its router (re-created on restart).</summary>
    private sealed class Member(DemoScenario scenario, string name, IPAddress address, int priority)
    {
        public string Name { get; } = name;

        public IPAddress Address { get; } = address;

        public IPAddress[] Peers { get; set; } = [];

        public InMemoryTransport Transport { get; set; } = null!;

        public VrrpNode Node { get; private set; } = null!;

        public VirtualRouter Router { get; private set; } = null!;

        public bool Crashed { get; private set; }

        public TimeSpan? BecameMasterAt { get; private set; }

        public void Create()
        {
            Node = new VrrpNode(Transport, scenario._time);
            Router = Node.AddRouter(new VirtualRouterOptions
            {
                Name = Name,
                VirtualRouterId = 51,
                Version = VrrpVersion.V3,
                Priority = priority,
                AdvertisementInterval = TimeSpan.FromSeconds(1),
                UnicastSource = Address,
                Peers = [.. Peers.Select(p => new VrrpPeer(p))],
                VirtualAddresses = [IPAddress.Parse("192.0.2.100")],
                Trackers = [new VrrpTrackerOptions(HealthCheckName, 0)],
            });
            VirtualRouter router = Router;
            router.StateChanged += (_, transition) =>
            {
                scenario._lastTransitions[Name] = transition.Timestamp;
                if (transition.NewState == VrrpState.Master)
                {
                    BecameMasterAt = scenario.Now;
                }

                scenario.Add(new DemoEvent(scenario.Now, DemoEventKind.Transition, Name,
                    $"{VrrpStateCodes.ToKeepalivedName(transition.OldState)} -> {VrrpStateCodes.ToKeepalivedName(transition.NewState)}",
                    Describe(transition, router)));
            };
        }

        public void Crash()
        {
            Transport.Crash();
            Node.Dispose();
            Crashed = true;
        }

        public void Restart()
        {
            Transport.Restart();
            Crashed = false;
            Create();
            Node.Start();
        }

        public void Shutdown() => Router.Shutdown();

        public void ReportHealth(bool ok) => Router.ReportTrackerResult(HealthCheckName, ok);

        public DemoRouterView View()
        {
            VrrpStatistics statistics = Router.GetStatistics();
            bool healthy = Router.Trackers.All(t => t.IsUp);
            return new DemoRouterView(Name, Address, Crashed ? "CRASHED" : VrrpStateCodes.ToKeepalivedName(Router.State), priority,
                Router.EffectivePriority, healthy ? "ok" : "failing", statistics.AdvertisementsSent, statistics.AdvertisementsReceived);
        }
    }
}
