namespace Vrrp.Aws;

/// <summary>Settings of a <see cref="FloatingAddressAction"/>.</summary>
public sealed class FloatingAddressActionOptions
{
    /// <summary>The action's name in the pipeline (logs, statistics, event stream); null uses <c>aws:</c> and the address's name.</summary>
    public string? Name { get; set; }

    /// <summary>React only to events of this VRRP instance; null reacts to every instance attached to the pipeline.</summary>
    public string? InstanceName { get; set; }

    /// <summary>
    /// While MASTER, check the holder this often and take the address back if another node (or nobody) holds it; null (the
    /// default) turns the periodic re-check off. Each check is one read-only call (<see cref="IFloatingAddress.CheckAsync"/>).
    /// </summary>
    public TimeSpan? RecheckInterval { get; set; }

    /// <summary>The wait before the first background retry after a failed <see cref="IFloatingAddress.EnsureHeldAsync"/>; it doubles after each further failure. Default 1 s.</summary>
    public TimeSpan RetryInitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between background retries. Default 30 s.</summary>
    public TimeSpan RetryMaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How much of each background retry wait is randomly taken off (0 = none, 1 = up to all of it). Default 0.2.</summary>
    public double RetryJitterFraction { get; set; } = 0.2;

    /// <summary>Checks every field and throws naming the first bad one.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public void Validate()
    {
        const string Type = nameof(FloatingAddressActionOptions);
        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            throw OptionChecks.Bad(Type, nameof(Name), "must be null or a non-blank name");
        }

        if (InstanceName is not null && string.IsNullOrWhiteSpace(InstanceName))
        {
            throw OptionChecks.Bad(Type, nameof(InstanceName), "must be null or a VRRP instance name");
        }

        if (RecheckInterval is { } recheck)
        {
            OptionChecks.Positive(Type, nameof(RecheckInterval), recheck);
        }

        OptionChecks.Positive(Type, nameof(RetryInitialBackoff), RetryInitialBackoff);
        if (RetryMaxBackoff < RetryInitialBackoff)
        {
            throw OptionChecks.Bad(Type, nameof(RetryMaxBackoff), $"must be at least {nameof(RetryInitialBackoff)} ({RetryInitialBackoff}), got {RetryMaxBackoff}");
        }

        if (!(RetryJitterFraction is >= 0 and <= 1))
        {
            throw OptionChecks.Bad(Type, nameof(RetryJitterFraction), $"must be within [0, 1], got {RetryJitterFraction}");
        }
    }

    internal FloatingAddressActionOptions Clone() => (FloatingAddressActionOptions)MemberwiseClone();
}
