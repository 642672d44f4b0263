namespace Vrrp.Tracking;

/// <summary>
/// The schedule of a check, common to every tracker kind (keepalived <c>vrrp_script</c>'s <c>interval</c> and
/// <c>timeout</c>). Kind-specific options derive from it. <see cref="Validate"/> lists every problem naming the field.
/// </summary>
/// <remarks>The weight, <c>reverse</c>, <c>rise</c>, <c>fall</c> and <c>init_fail</c> belong to the instance's
/// <see cref="Vrrp.Routing.VrrpTrackerOptions"/>: the router applies them to the raw results.</remarks>
public class TrackerOptions
{
    /// <summary>The longest interval or timeout accepted.</summary>
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(1);

    /// <summary>The tracker's name, as listed in the instances' <see cref="Vrrp.Routing.VirtualRouterOptions.Trackers"/>.</summary>
    public string Name { get; set; } = "";

    /// <summary>Time from the start of one check to the start of the next (keepalived <c>interval</c>, default 1 s).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one check may take before it counts as failed and is cancelled (keepalived <c>timeout</c>);
    /// <see langword="null"/> (default) uses <see cref="Interval"/>, as keepalived does when <c>timeout</c> is unset.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>The timeout in force: <see cref="Timeout"/>, or <see cref="Interval"/> when unset.</summary>
    public TimeSpan EffectiveTimeout => Timeout ?? Interval;

    /// <summary>Checks every field.</summary>
    /// <returns>One message per problem, each starting with the field's name; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add($"{nameof(Name)}: a tracker needs a name.");
        }

        if (Interval <= TimeSpan.Zero || Interval > MaxPeriod)
        {
            errors.Add($"{nameof(Interval)}: must be greater than 0 and at most {MaxPeriod}; got {Interval}.");
        }

        if (Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > MaxPeriod))
        {
            errors.Add($"{nameof(Timeout)}: must be greater than 0 and at most {MaxPeriod}; got {timeout}.");
        }

        ValidateCore(errors);
        return errors;
    }

    /// <summary>Throws when <see cref="Validate"/> finds a problem.</summary>
    /// <exception cref="ArgumentException">The message lists every problem; <see cref="ArgumentException.ParamName"/> names the first bad field.</exception>
    public void ThrowIfInvalid()
    {
        IReadOnlyList<string> errors = Validate();
        if (errors.Count > 0)
        {
            string field = errors[0][..errors[0].IndexOf(':', StringComparison.Ordinal)];
            throw new ArgumentException($"Invalid tracker '{Name}': {string.Join(" ", errors)}", field);
        }
    }

    /// <summary>Adds the kind-specific problems, each message starting with the field's name.</summary>
    /// <param name="errors">The list to add to.</param>
    protected virtual void ValidateCore(List<string> errors)
    {
    }
}
