namespace Vrrp.Aws;

/// <summary>Counters of one <see cref="FloatingAddressAction"/>, for logs, status output and tests.</summary>
/// <param name="ActionName">The action's name.</param>
/// <param name="IsMaster">Whether the action currently treats its instance as MASTER (between a MASTER event and the next BACKUP/FAULT/STOP).</param>
/// <param name="Attempts">Calls to <see cref="IFloatingAddress.EnsureHeldAsync"/> that returned a result (awaited, background retries and re-check take-backs).</param>
/// <param name="Successes">Attempts that ended with the address held (<see cref="FloatingAddressOutcome.AlreadyHeld"/> or <see cref="FloatingAddressOutcome.Moved"/>).</param>
/// <param name="Failures">Attempts that ended with <see cref="FloatingAddressOutcome.Failed"/>.</param>
/// <param name="BackgroundRetries">Attempts made by the background retry loop.</param>
/// <param name="Rechecks">Periodic re-checks made (<see cref="IFloatingAddress.CheckAsync"/> calls).</param>
/// <param name="RecheckTakeovers">Re-checks that found another node (or nobody) holding the address and took it back.</param>
/// <param name="RetryPending">Whether a failed attempt is waiting for its background retry.</param>
/// <param name="LastResult">The last attempt's result, if any.</param>
public sealed record FloatingAddressActionStatistics(
    string ActionName,
    bool IsMaster,
    long Attempts,
    long Successes,
    long Failures,
    long BackgroundRetries,
    long Rechecks,
    long RecheckTakeovers,
    bool RetryPending,
    FloatingAddressResult? LastResult);
