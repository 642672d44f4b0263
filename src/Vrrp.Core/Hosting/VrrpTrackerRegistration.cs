using Vrrp.Tracking;

namespace Vrrp.Hosting;

/// <summary>
/// A tracker added with <c>builder.AddTracker(...)</c>: its schedule and how to create it. The hosted service runs it
/// with a <see cref="TrackerRunner"/> and attaches it to every instance whose <see cref="VrrpInstanceOptions.Trackers"/>
/// names <see cref="TrackerOptions.Name"/>.
/// </summary>
public sealed class VrrpTrackerRegistration
{
    /// <summary>Creates a registration.</summary>
    /// <param name="options">The tracker's name, interval and timeout.</param>
    /// <param name="factory">Creates the tracker from the application's services.</param>
    public VrrpTrackerRegistration(TrackerOptions options, Func<IServiceProvider, IVrrpTracker> factory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(factory);
        Options = options;
        Factory = factory;
    }

    /// <summary>The tracker's name, interval and timeout.</summary>
    public TrackerOptions Options { get; }

    /// <summary>Creates the tracker.</summary>
    public Func<IServiceProvider, IVrrpTracker> Factory { get; }
}
