using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vrrp.Actions;
using Vrrp.Diagnostics;
using Vrrp.Hosting;

// A generic host that holds a floating address with VRRP: options from appsettings.json ("Vrrp" section),
// one failover action of our own, the health check. Stop it with Ctrl+C: a MASTER hands over at once (priority 0).
// appsettings.json is read from beside the program, so it runs the same from any directory.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Services.AddVrrp(builder.Configuration.GetSection(VrrpOptions.SectionName))
    .AddAction(services =>
    {
        ILogger logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Failover");
        return new DelegateFailoverAction("announce", failoverEvent =>
        {
            if (failoverEvent.Kind == FailoverEventKind.Master)
            {
                SampleLog.Master(logger, failoverEvent.InstanceName, failoverEvent.EffectivePriority);
            }
            else
            {
                SampleLog.Other(logger, failoverEvent.InstanceName, failoverEvent.KeepalivedState);
            }
        });
    });

builder.Services.AddHealthChecks().AddCheck<VrrpHealthCheck>("vrrp");

using IHost host = builder.Build();
await host.RunAsync();

/// <summary>The sample's log messages.</summary>
internal static partial class SampleLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "I am MASTER now ({Instance}, priority {Priority}): serve the floating address.")]
    public static partial void Master(ILogger logger, string instance, int priority);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Instance} is {State} now.")]
    public static partial void Other(ILogger logger, string instance, string state);
}
