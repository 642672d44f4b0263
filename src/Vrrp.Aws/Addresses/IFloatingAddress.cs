namespace Vrrp.Aws;

/// <summary>
/// A floating address that this node can take over: an Elastic IP, a secondary private IP or a route-table overlay IP.
/// </summary>
/// <remarks>
/// Both methods are safe to call repeatedly and concurrently: calls to <see cref="EnsureHeldAsync"/> on one instance are
/// serialized, and each one reads the current owner first, so a call when the address is already held makes no change.
/// This is what lets a VRRP router re-assert the address on becoming MASTER, on hearing a lower-priority advert and on a
/// periodic re-check without extra bookkeeping.
/// </remarks>
public interface IFloatingAddress
{
    /// <summary>A short human-readable name of the address, e.g. <c>Elastic IP eipalloc-0abc</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Makes this node hold the address and verifies that EC2 reports it so, retrying throttling and transient failures
    /// within the configured deadline.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call; the only way an exception leaves this method.</param>
    /// <returns>
    /// The outcome. An AWS-side failure (an error answer, a dead endpoint, a timeout, the deadline) never throws: it is a
    /// result with <see cref="FloatingAddressOutcome.Failed"/> and the reason.
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<FloatingAddressResult> EnsureHeldAsync(CancellationToken cancellationToken);

    /// <summary>Reads who holds the address now, with one read-only API call and no retries.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The current state; <see cref="FloatingAddressHolder.Unknown"/> with the reason when it could not be read.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<FloatingAddressState> CheckAsync(CancellationToken cancellationToken);
}
