using System.Collections.Immutable;
using System.Net;

namespace Vrrp.Routing;

/// <summary>One state change of an instance, delivered in order after the router's lock is released.</summary>
/// <param name="InstanceName">The instance that changed state.</param>
/// <param name="OldState">The state left.</param>
/// <param name="NewState">The state entered.</param>
/// <param name="Reason">Why.</param>
/// <param name="EffectivePriority">The effective priority at the time of the change.</param>
/// <param name="Timestamp">When, from the router's <see cref="TimeProvider"/>.</param>
public sealed record VrrpTransition(string InstanceName, VrrpState OldState, VrrpState NewState, VrrpTransitionReason Reason, int EffectivePriority, DateTimeOffset Timestamp)
{
    /// <summary>keepalived's notify line: <c>INSTANCE "name" STATE priority</c>.</summary>
    public override string ToString() => $"INSTANCE \"{InstanceName}\" {NewState.ToString().ToUpperInvariant()} {EffectivePriority} (from {OldState}, {Reason})";
}

/// <summary>A MASTER heard a lower-priority advertisement (keepalived <c>notify_master_rx_lower_pri</c>): cloud actions re-assert their address on it.</summary>
/// <param name="InstanceName">The instance (in MASTER).</param>
/// <param name="Source">The sender of the lower-priority advertisement.</param>
/// <param name="Priority">The priority it advertised.</param>
/// <param name="EffectivePriority">Our effective priority.</param>
public sealed record VrrpLowerPriorityAdvertisement(string InstanceName, IPAddress Source, int Priority, int EffectivePriority);

/// <summary>An instance that became MASTER announces its virtual addresses (gratuitous ARP / unsolicited NA, or a cloud API call).</summary>
/// <param name="InstanceName">The instance.</param>
/// <param name="Addresses">The virtual addresses; possibly empty.</param>
public sealed record VrrpAddressAnnouncement(string InstanceName, ImmutableArray<IPAddress> Addresses);

/// <summary>An instance's effective priority changed (a weighted tracker flipped): keepalived's <c>notify_priority_changes</c>.</summary>
/// <param name="InstanceName">The instance.</param>
/// <param name="State">Its state when the priority changed.</param>
/// <param name="OldPriority">The effective priority before.</param>
/// <param name="NewPriority">The effective priority now.</param>
/// <param name="Timestamp">When, from the router's <see cref="TimeProvider"/>.</param>
public sealed record VrrpPriorityChange(string InstanceName, VrrpState State, int OldPriority, int NewPriority, DateTimeOffset Timestamp);

/// <summary>A sync group changed state (<see cref="VrrpSyncGroup.State"/>): keepalived's group notifies (<c>GROUP name STATE 0</c>).</summary>
/// <param name="GroupName">The group.</param>
/// <param name="OldState">The group's state before.</param>
/// <param name="NewState">The group's state now.</param>
/// <param name="Timestamp">When, from the clock of the member whose transition changed the group's state.</param>
public sealed record VrrpSyncGroupTransition(string GroupName, VrrpState OldState, VrrpState NewState, DateTimeOffset Timestamp);
