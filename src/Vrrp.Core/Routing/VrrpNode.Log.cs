using Microsoft.Extensions.Logging;
using Vrrp.Packets;

namespace Vrrp.Routing;

public sealed partial class VrrpNode
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "VRRP node: dropped a malformed message ({Status})")]
    private static partial void LogParseDrop(ILogger logger, VrrpParseStatus status);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "VRRP node: no instance for VRID {VirtualRouterId}")]
    private static partial void LogUnknownRouter(ILogger logger, int virtualRouterId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "VRRP instance {Instance}: could not send to {Peer}")]
    private static partial void LogSendFailed(ILogger logger, string instance, System.Net.IPAddress peer);
}
