using Microsoft.Extensions.Logging;
using Vrrp.Packets;

namespace Vrrp.Routing;

public sealed partial class VirtualRouter
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "VRRP instance {Instance}: {OldState} -> {NewState} ({Reason}), priority {Priority}")]
    private static partial void LogTransition(ILogger logger, string instance, VrrpState oldState, VrrpState newState, VrrpTransitionReason reason, int priority);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "VRRP instance {Instance}: dropped an advertisement ({Reason})")]
    private static partial void LogDrop(ILogger logger, string instance, VrrpDropReason reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "VRRP instance {Instance}: dropped a malformed message ({Status})")]
    private static partial void LogParseDrop(ILogger logger, string instance, VrrpParseStatus status);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "VRRP instance {Instance}: advertisement interval {Received} differs from ours {Configured} (VRRPv3: accepted)")]
    private static partial void LogIntervalMismatch(ILogger logger, string instance, TimeSpan received, TimeSpan configured);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "VRRP instance {Instance}: the advertisement's address list differs from ours")]
    private static partial void LogAddressListMismatch(ILogger logger, string instance);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "VRRP instance {Instance}: effective priority {OldPriority} -> {NewPriority}")]
    private static partial void LogPriorityChanged(ILogger logger, string instance, int oldPriority, int newPriority);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "VRRP instance {Instance}: MASTER heard lower priority {Priority}")]
    private static partial void LogLowerPriority(ILogger logger, string instance, int priority);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error, Message = "VRRP instance {Instance}: an output handler ({Output}) threw")]
    private static partial void LogHandlerFailed(ILogger logger, string instance, string output, Exception exception);
}
