using Microsoft.Extensions.Logging;

namespace Vrrp.Actions;

public sealed partial class FailoverActionPipeline
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Debug, Message = "Failover event {Event} queued")]
    private static partial void LogQueued(ILogger logger, FailoverEvent @event);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Debug, Message = "Action {Action} handled {Event} in {Seconds:0.000} s")]
    private static partial void LogSucceeded(ILogger logger, string action, FailoverEvent @event, double seconds);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Action {Action} failed on {Event} after {Seconds:0.000} s")]
    private static partial void LogFailed(ILogger logger, string action, FailoverEvent @event, double seconds, Exception? exception);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "Action {Action} timed out on {Event} after {Seconds:0.000} s and was cancelled")]
    private static partial void LogTimedOut(ILogger logger, string action, FailoverEvent @event, double seconds, Exception? exception);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Action {Action} ignored cancellation on {Event}: abandoned, the pipeline moves on")]
    private static partial void LogAbandoned(ILogger logger, string action, FailoverEvent @event);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Action {Action} cancelled on {Event}: the pipeline is stopping")]
    private static partial void LogCancelled(ILogger logger, string action, FailoverEvent @event);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Failover event arrived while the pipeline is stopping: not delivered")]
    private static partial void LogRejected(ILogger logger);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Failover pipeline stop: drain time over with {Pending} event(s) pending; cancelling them")]
    private static partial void LogDrainCut(ILogger logger, long pending);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "Failover event {Event} is superseded: a later transition of the instance is queued behind it")]
    private static partial void LogSuperseded(ILogger logger, FailoverEvent @event);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning, Message = "Failover event {Event} dropped: {Capacity} notification events are already waiting (transitions are never dropped)")]
    private static partial void LogDropped(ILogger logger, FailoverEvent @event, int capacity);
}
