namespace Vrrp.Aws;

/// <summary>How a call to <see cref="IFloatingAddress.EnsureHeldAsync"/> ended.</summary>
public enum FloatingAddressOutcome
{
    /// <summary>EC2 already reported this node as the holder; nothing was changed.</summary>
    AlreadyHeld,

    /// <summary>The address was moved to this node and EC2 confirmed it.</summary>
    Moved,

    /// <summary>The address could not be moved or confirmed within the deadline; see <see cref="FloatingAddressResult.Reason"/>.</summary>
    Failed,
}

/// <summary>Who holds a floating address, as EC2 reports it.</summary>
public enum FloatingAddressHolder
{
    /// <summary>The state could not be read (see <see cref="FloatingAddressState.Detail"/>).</summary>
    Unknown,

    /// <summary>This node's network interface holds the address.</summary>
    ThisNode,

    /// <summary>Another network interface holds the address (or, for a route table, at least one route points elsewhere).</summary>
    OtherNode,

    /// <summary>Nobody holds it: the Elastic IP is not associated, or a route does not exist yet.</summary>
    Nobody,
}

/// <summary>A reading of who holds a floating address.</summary>
/// <param name="Holder">Who holds it.</param>
/// <param name="HolderId">The holding network interface (or instance) when EC2 names it; otherwise null.</param>
/// <param name="Detail">A one-line description for logs and status output.</param>
public sealed record FloatingAddressState(FloatingAddressHolder Holder, string? HolderId, string Detail)
{
    /// <summary>True when this node holds the address.</summary>
    public bool IsHeldByThisNode => Holder == FloatingAddressHolder.ThisNode;
}

/// <summary>The result of <see cref="IFloatingAddress.EnsureHeldAsync"/>.</summary>
/// <param name="Outcome">How the call ended.</param>
/// <param name="Reason">Why it failed (or the last transient error that was retried); null on a clean success.</param>
/// <param name="Attempts">How many check-and-move attempts were made (1 when the first one succeeded).</param>
/// <param name="Elapsed">The time from the call to its result, measured with the injected <see cref="TimeProvider"/>.</param>
/// <param name="State">The last state read from EC2, if any was read.</param>
public sealed record FloatingAddressResult(
    FloatingAddressOutcome Outcome,
    string? Reason,
    int Attempts,
    TimeSpan Elapsed,
    FloatingAddressState? State)
{
    /// <summary>True when this node holds the address at the end of the call.</summary>
    public bool Succeeded => Outcome != FloatingAddressOutcome.Failed;
}
