using System.Collections.Immutable;

namespace Vrrp.Routing;

/// <summary>
/// Instances that change state together (keepalived <c>vrrp_sync_group</c>): when one member becomes MASTER the
/// others in BACKUP follow; when one falls back to BACKUP the other MASTERs follow; while any member is in FAULT
/// for its own reasons, every other member is held in FAULT, and they leave FAULT together.
/// </summary>
/// <remarks>Propagation runs from the members' output queues, never under a router's lock.</remarks>
public sealed class VrrpSyncGroup
{
    private readonly Lock _notifyLock = new();
    private readonly Microsoft.Extensions.Logging.ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private VrrpState _reportedState = VrrpState.Initialize;

    /// <summary>Creates a group; each router can belong to one group only. Create it before starting the routers.</summary>
    /// <param name="name">The group name.</param>
    /// <param name="routers">The members (at least one).</param>
    /// <exception cref="ArgumentException">No member, or a router already belongs to a group.</exception>
    public VrrpSyncGroup(string name, params IEnumerable<VirtualRouter> routers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(routers);
        Name = name;
        Routers = [.. routers];
        if (Routers.IsEmpty)
        {
            throw new ArgumentException("A sync group needs at least one instance.", nameof(routers));
        }

        foreach (VirtualRouter router in Routers)
        {
            if (router.SyncGroup is not null)
            {
                throw new ArgumentException($"Instance '{router.Name}' already belongs to sync group '{router.SyncGroup.Name}'.", nameof(routers));
            }
        }

        foreach (VirtualRouter router in Routers)
        {
            router.SyncGroup = this;
        }

        UpdateFaults();
    }

    /// <summary>The group name.</summary>
    public string Name { get; }

    /// <summary>The members.</summary>
    public ImmutableArray<VirtualRouter> Routers { get; }

    /// <summary>The group's state: FAULT if any member is, else MASTER if any member is, else BACKUP if any member is, else the first member's.</summary>
    public VrrpState State
    {
        get
        {
            VrrpState[] states = [.. Routers.Select(r => r.State)];
            return states.Contains(VrrpState.Fault) ? VrrpState.Fault
                : states.Contains(VrrpState.Master) ? VrrpState.Master
                : states.Contains(VrrpState.Backup) ? VrrpState.Backup
                : states[0];
        }
    }

    /// <summary>
    /// Raised when <see cref="State"/> changes after a member's transition (keepalived's group notifies: MASTER when a
    /// member became MASTER, BACKUP once none is MASTER or FAULT, FAULT while one is, STOP when all stopped). Raised in
    /// order under the group's notification lock, outside every router's lock: handlers must only queue work.
    /// </summary>
    public event EventHandler<VrrpSyncGroupTransition>? StateChanged { add => StateChangedEvent.Add(value); remove => StateChangedEvent.Remove(value); }

    internal RouterEvent<VrrpSyncGroupTransition> StateChangedEvent { get; } = new();

    internal void OnMemberStateChanged(DateTimeOffset timestamp)
    {
        lock (_notifyLock)
        {
            VrrpState state = State;
            if (state == _reportedState || state == VrrpState.Initialize)
            {
                return;
            }

            VrrpSyncGroupTransition transition = new(Name, _reportedState, state, timestamp);
            _reportedState = state;
            StateChangedEvent.Raise(this, transition, Routers.Any(r => r.IsolateSubscribers), _logger, $"sync group {Name}");
        }
    }

    internal void OnMemberTransition(VirtualRouter member, VrrpTransition transition)
    {
        if (transition.NewState == VrrpState.Fault || transition.OldState == VrrpState.Fault)
        {
            UpdateFaults();
        }

        if (transition.NewState is VrrpState.Master or VrrpState.Backup)
        {
            foreach (VirtualRouter other in Routers)
            {
                if (!ReferenceEquals(other, member))
                {
                    other.FollowSyncGroup(transition.NewState);
                }
            }
        }
    }

    private void UpdateFaults()
    {
        bool[] own = [.. Routers.Select(r => r.HasOwnFault)];
        for (int i = 0; i < Routers.Length; i++)
        {
            bool otherFaulted = false;
            for (int j = 0; j < own.Length; j++)
            {
                otherFaulted |= j != i && own[j];
            }

            Routers[i].SetSyncGroupFault(otherFaulted);
        }
    }
}
