using Microsoft.Extensions.Logging;

namespace Allocator.Service;

/// <summary>The service's log lines, compiled once (source-generated) rather than formatted on every call.</summary>
internal static partial class ServiceLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Next run at {Next:O}")]
    public static partial void NextRun(ILogger logger, DateTimeOffset next);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The schedule '{Schedule}' has no future occurrence; nothing more to run.")]
    public static partial void ScheduleEnded(ILogger logger, string schedule);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Message}")]
    public static partial void Refused(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The nightly planner stopped: {Kind}: {Message}")]
    public static partial void Crashed(ILogger logger, string kind, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {Id}: planning {Instance} into {Output}")]
    public static partial void Planning(ILogger logger, long id, string instance, string output);

    [LoggerMessage(Message = "Run {Id}: {Status}: {Summary}")]
    public static partial void Finished(ILogger logger, LogLevel level, long id, string status, string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {Id}: {Warning}")]
    public static partial void Warning(ILogger logger, long id, string warning);
}
