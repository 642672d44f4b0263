namespace Vrrp.Actions;

/// <summary>Settings of a <see cref="FailoverActionPipeline"/>.</summary>
public sealed class FailoverActionPipelineOptions
{
    /// <summary>How long one action may take with one event before it is cancelled (default 30 s). Per action: <see cref="FailoverActionPipeline.Add"/>.</summary>
    public TimeSpan ActionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long stopping waits for queued events to be handled before cancelling the rest (default 10 s).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many entries each reader of the event stream may have unread before the oldest are dropped (default 1024);
    /// gaps show in <see cref="FailoverEvent.Sequence"/>. The actions themselves never lose an event.
    /// </summary>
    public int EventStreamCapacity { get; set; } = 1024;

    /// <summary>
    /// How many notification events (priority changes, sync group changes, lower-priority re-asserts) may wait in the
    /// pipeline before further ones are dropped and counted (default 256). Transitions are never dropped.
    /// </summary>
    public int EventQueueCapacity { get; set; } = 256;

    /// <summary>The problems with these settings, each naming its field; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> errors = [];
        if (ActionTimeout <= TimeSpan.Zero && ActionTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{nameof(ActionTimeout)}: must be positive (or infinite); got {ActionTimeout}.");
        }

        if (DrainTimeout < TimeSpan.Zero && DrainTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{nameof(DrainTimeout)}: must not be negative; got {DrainTimeout}.");
        }

        if (EventStreamCapacity < 1)
        {
            errors.Add($"{nameof(EventStreamCapacity)}: must be at least 1; got {EventStreamCapacity}.");
        }

        if (EventQueueCapacity < 1)
        {
            errors.Add($"{nameof(EventQueueCapacity)}: must be at least 1; got {EventQueueCapacity}.");
        }

        return errors;
    }

    /// <summary>Throws when <see cref="Validate"/> finds problems.</summary>
    /// <exception cref="ArgumentException">The settings are invalid; the message names the fields.</exception>
    public void ThrowIfInvalid()
    {
        IReadOnlyList<string> errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid {nameof(FailoverActionPipelineOptions)}: {string.Join(" ", errors)}");
        }
    }

    internal FailoverActionPipelineOptions Clone() => (FailoverActionPipelineOptions)MemberwiseClone();
}
