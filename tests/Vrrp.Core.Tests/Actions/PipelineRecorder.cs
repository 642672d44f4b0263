using System.Collections.Concurrent;
using Vrrp.Actions;

namespace Vrrp.Tests.Actions;

/// <summary>Reads a pipeline's event stream in the background; tests wait (bounded, real time) for entries.</summary>
internal sealed class PipelineRecorder
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private readonly ConcurrentQueue<FailoverPipelineNotification> _entries = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Task _reader;

    public PipelineRecorder(FailoverActionPipeline pipeline)
    {
        IAsyncEnumerable<FailoverPipelineNotification> stream = pipeline.ReadEventsAsync();
        _reader = Task.Run(async () =>
        {
            await foreach (FailoverPipelineNotification entry in stream)
            {
                _entries.Enqueue(entry);
                _arrived.Release();
            }
        });
    }

    public IReadOnlyList<FailoverPipelineNotification> Entries => [.. _entries];

    public IEnumerable<FailoverActionCompleted> Outcomes(string action) => Entries.OfType<FailoverActionCompleted>().Where(o => o.ActionName == action);

    public Task Completion => _reader;

    /// <summary>Waits until <paramref name="condition"/> holds over the entries; fails after <see cref="Bound"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<FailoverPipelineNotification>, bool> condition, string what)
    {
        using CancellationTokenSource bound = new(Bound);
        while (!condition(Entries))
        {
            try
            {
                await _arrived.WaitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"the event stream did not show {what} within {Bound.TotalSeconds} s; it has: {string.Join(" | ", Entries)}");
            }
        }
    }

    public Task WaitForOutcomeAsync(string action, int count) =>
        WaitUntilAsync(e => e.OfType<FailoverActionCompleted>().Count(o => o.ActionName == action) >= count, $"{count} outcome(s) of {action}");
}
