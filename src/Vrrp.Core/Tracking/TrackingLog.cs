using Microsoft.Extensions.Logging;

namespace Vrrp.Tracking;

/// <summary>Source-generated log messages of the trackers; EventIds 2000–2099 are reserved for this folder.</summary>
internal static partial class TrackingLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Tracker {Tracker}: {Status} ({Reason})")]
    public static partial void ResultChanged(ILogger logger, string tracker, string status, string reason);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Tracker {Tracker}: {Status} ({Reason})")]
    public static partial void Result(ILogger logger, string tracker, string status, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Tracker {Tracker}: the previous check has not finished; skipping this run")]
    public static partial void Skipped(ILogger logger, string tracker);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Tracker {Tracker}: reporting to VRRP instance {Instance} failed")]
    public static partial void RouterReportFailed(ILogger logger, string tracker, string instance, Exception exception);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Tracker {Tracker}: a result handler threw")]
    public static partial void HandlerFailed(ILogger logger, string tracker, Exception exception);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Tracker {Tracker}: the check did not finish within {Grace} after shutdown")]
    public static partial void ShutdownAbandoned(ILogger logger, string tracker, TimeSpan grace);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Tracker {Tracker}: killed the process tree of pid {Pid} ({Why})")]
    public static partial void ScriptKilled(ILogger logger, string tracker, int pid, string why);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Tracker {Tracker}: could not kill pid {Pid}")]
    public static partial void ScriptKillFailed(ILogger logger, string tracker, int pid, Exception exception);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Tracker {Tracker}: could not initialise {Path}")]
    public static partial void FileInitFailed(ILogger logger, string tracker, string path, Exception exception);
}
