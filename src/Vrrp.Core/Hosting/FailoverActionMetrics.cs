using Vrrp.Actions;
using Vrrp.Diagnostics;

namespace Vrrp.Hosting;

/// <summary>Feeds a pipeline's action outcomes into <see cref="VrrpMetrics.RecordActionDuration"/> (<c>vrrp.action.duration</c>).</summary>
public static class FailoverActionMetrics
{
    /// <summary>
    /// Subscribes to <paramref name="pipeline"/>'s event stream now and records the duration of every action run until
    /// the pipeline stops or <paramref name="cancellationToken"/> is cancelled. Await the task after stopping the pipeline.
    /// </summary>
    /// <param name="pipeline">The pipeline to observe.</param>
    /// <param name="metrics">Where to record.</param>
    /// <param name="cancellationToken">Ends the observation early.</param>
    /// <returns>A task that completes when the event stream ends.</returns>
    public static Task RecordActionDurationsAsync(this FailoverActionPipeline pipeline, VrrpMetrics metrics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(metrics);
        IAsyncEnumerable<FailoverPipelineNotification> stream = pipeline.ReadEventsAsync(cancellationToken);
        return RecordAsync(stream, metrics);
    }

    /// <summary>The <c>vrrp.action.outcome</c> tag of a result: <c>success</c>, <c>failure</c>, <c>timeout</c>, <c>cancelled</c>.</summary>
    public static string OutcomeName(FailoverActionResult result) => result switch
    {
        FailoverActionResult.Succeeded => "success",
        FailoverActionResult.Failed => "failure",
        FailoverActionResult.TimedOut => "timeout",
        _ => "cancelled",
    };

    private static async Task RecordAsync(IAsyncEnumerable<FailoverPipelineNotification> stream, VrrpMetrics metrics)
    {
        try
        {
            await foreach (FailoverPipelineNotification notification in stream.ConfigureAwait(false))
            {
                if (notification is FailoverActionCompleted completed)
                {
                    metrics.RecordActionDuration(completed.Event.InstanceName, completed.ActionName, completed.Duration.TotalSeconds, OutcomeName(completed.Result));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Observation ended early.
        }
        catch (ObjectDisposedException)
        {
            // The metrics were disposed first.
        }
    }
}
