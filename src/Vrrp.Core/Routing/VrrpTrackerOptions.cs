namespace Vrrp.Routing;

/// <summary>
/// A tracked check feeding an instance (keepalived <c>track_script name weight W [reverse]</c> with the script's
/// <c>rise</c>, <c>fall</c> and <c>init_fail</c>). The check itself runs elsewhere and reports results with
/// <see cref="VirtualRouter.ReportTrackerResult"/>.
/// </summary>
public sealed class VrrpTrackerOptions
{
    /// <summary>The largest |weight| keepalived allows for scripts and interfaces.</summary>
    public const int MaxWeight = 254;

    /// <summary>Creates a tracker with keepalived's defaults (weight 0, rise 1, fall 1).</summary>
    public VrrpTrackerOptions()
    {
    }

    /// <summary>Creates a tracker.</summary>
    /// <param name="name">The tracker's name, unique within the instance.</param>
    /// <param name="weight">The weight: 0 = FAULT while failing; &gt; 0 added while OK; &lt; 0 subtracted while failing.</param>
    public VrrpTrackerOptions(string name, int weight = 0)
    {
        Name = name;
        Weight = weight;
    }

    /// <summary>The tracker's name, unique within the instance.</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// keepalived weight, −254..254 (scripts −253..253). 0 (default): <see cref="Fall"/> failures put the instance in
    /// FAULT. Positive: added to the priority while the check succeeds. Negative: |weight| subtracted while it fails.
    /// </summary>
    public int Weight { get; set; }

    /// <summary>Inverts the direction of the adjustment (keepalived <c>reverse</c>): a positive weight is subtracted while OK,
    /// a negative one added while failing; with weight 0, FAULT while the check succeeds.</summary>
    public bool Reverse { get; set; }

    /// <summary>Consecutive successes to go from failing to OK (keepalived <c>rise</c>, default 1).</summary>
    public int Rise { get; set; } = 1;

    /// <summary>Consecutive failures to go from OK to failing (keepalived <c>fall</c>, default 1).</summary>
    public int Fall { get; set; } = 1;

    /// <summary>Start in the failing state (keepalived <c>init_fail</c>); by default a tracker starts OK.</summary>
    public bool InitiallyFailed { get; set; }
}

/// <summary>
/// The rise/fall state of one tracker: counts consecutive results and flips between OK and failing only after
/// <see cref="VrrpTrackerOptions.Rise"/> successes or <see cref="VrrpTrackerOptions.Fall"/> failures. Not thread-safe:
/// the router owning it serialises access.
/// </summary>
public sealed class VrrpTrackerState
{
    private int _streak;

    /// <summary>Creates the state from its options.</summary>
    public VrrpTrackerState(VrrpTrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        IsUp = !options.InitiallyFailed;
    }

    /// <summary>The tracker's options.</summary>
    public VrrpTrackerOptions Options { get; }

    /// <summary>Whether the check is currently considered OK (before <see cref="VrrpTrackerOptions.Reverse"/>).</summary>
    public bool IsUp { get; private set; }

    /// <summary>Whether this weight-0 tracker holds its instance in FAULT.</summary>
    public bool CausesFault => Options.Weight == 0 && (Options.Reverse ? IsUp : !IsUp);

    /// <summary>The priority adjustment this tracker contributes now (keepalived's weight rules).</summary>
    public int PriorityAdjustment
    {
        get
        {
            int weight = Options.Weight;
            int sign = Options.Reverse ? -1 : 1;
            if (weight > 0)
            {
                return IsUp ? sign * weight : 0;
            }

            if (weight < 0)
            {
                return IsUp ? 0 : sign * weight;
            }

            return 0;
        }
    }

    /// <summary>Records one check result.</summary>
    /// <returns><see langword="true"/> when <see cref="IsUp"/> changed.</returns>
    public bool Report(bool success)
    {
        if (success == IsUp)
        {
            _streak = 0;
            return false;
        }

        _streak++;
        if (_streak >= (success ? Options.Rise : Options.Fall))
        {
            IsUp = success;
            _streak = 0;
            return true;
        }

        return false;
    }
}
