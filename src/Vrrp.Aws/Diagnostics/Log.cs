using Microsoft.Extensions.Logging;
using Vrrp.Actions;

namespace Vrrp.Aws;

/// <summary>Source-generated log messages of Vrrp.Aws. Event IDs are stable: 6000–6999 belong to this package.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Debug, Message = "{Address}: already held by {NetworkInterfaceId} (attempt {Attempt})")]
    public static partial void AlreadyHeld(ILogger logger, string address, string networkInterfaceId, int attempt);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "{Address}: moving to {NetworkInterfaceId}; EC2 reports {Current}")]
    public static partial void Moving(ILogger logger, string address, string networkInterfaceId, string current);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "{Address}: now held by {NetworkInterfaceId}, verified after {Attempts} attempt(s) in {ElapsedMs} ms")]
    public static partial void Moved(ILogger logger, string address, string networkInterfaceId, int attempts, long elapsedMs);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "{Address}: attempt {Attempt} failed, retrying in {DelayMs} ms: {Reason}")]
    public static partial void Retrying(ILogger logger, string address, int attempt, long delayMs, string reason);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Error, Message = "{Address}: could not take the address after {Attempts} attempt(s) in {ElapsedMs} ms: {Reason}")]
    public static partial void Failed(ILogger logger, string address, int attempts, long elapsedMs, string reason);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Debug, Message = "{Address}: not yet verified, EC2 reports {Current}")]
    public static partial void VerifyPending(ILogger logger, string address, string current);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Information, Message = "{Address}: route table {RouteTableId} has no route to {Destination}; creating it")]
    public static partial void CreatingRoute(ILogger logger, string address, string routeTableId, string destination);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "{Address}: check failed: {Reason}")]
    public static partial void CheckFailed(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "IMDSv2: this node is {InstanceId}, network interface {NetworkInterfaceId} (MAC {Mac})")]
    public static partial void IdentityDiscovered(ILogger logger, string instanceId, string networkInterfaceId, string mac);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Warning, Message = "{Message}")]
    public static partial void IdentityDiscoveryFailed(ILogger logger, string message);
    [LoggerMessage(EventId = 6020, Level = LogLevel.Information, Message = "{Action}: {Instance} {Trigger}; ensuring {Address} is held here")]
    public static partial void ActionEnsuring(ILogger logger, string action, string instance, string trigger, string address);

    [LoggerMessage(EventId = 6021, Level = LogLevel.Error, Message = "{Action}: {Address} not taken on {Trigger} ({Reason}); retrying in the background every {BackoffMs} ms or more while MASTER")]
    public static partial void ActionFailed(ILogger logger, string action, string address, string trigger, string reason, long backoffMs);

    [LoggerMessage(EventId = 6022, Level = LogLevel.Information, Message = "{Action}: background retry {Attempt} took {Address}: {Outcome}")]
    public static partial void ActionRetrySucceeded(ILogger logger, string action, int attempt, string address, FloatingAddressOutcome outcome);

    [LoggerMessage(EventId = 6023, Level = LogLevel.Warning, Message = "{Action}: background retry {Attempt} for {Address} failed ({Reason}); next in {DelayMs} ms")]
    public static partial void ActionRetryFailed(ILogger logger, string action, int attempt, string address, string reason, long delayMs);

    [LoggerMessage(EventId = 6024, Level = LogLevel.Warning, Message = "{Action}: re-check found {Address} {Detail} while MASTER; taking it back")]
    public static partial void ActionRecheckTakeBack(ILogger logger, string action, string address, string detail);

    [LoggerMessage(EventId = 6025, Level = LogLevel.Information, Message = "{Action}: {Instance} left MASTER ({State}); background retry and re-check stopped, the address is left for the next MASTER")]
    public static partial void ActionLeftMaster(ILogger logger, string action, string instance, string state);

    [LoggerMessage(EventId = 6026, Level = LogLevel.Error, Message = "{Action}: unexpected error in the background loop; retrying later")]
    public static partial void ActionLoopError(ILogger logger, string action, Exception exception);

    [LoggerMessage(EventId = 6027, Level = LogLevel.Information, Message = "{Action}: {Event} was already superseded by a later transition when it ran; {Address} is left alone")]
    public static partial void ActionSuperseded(ILogger logger, string action, FailoverEvent @event, string address);
}
