using Microsoft.Extensions.Logging;

namespace Vrrp.Tracking;

/// <summary>Creates the built-in tracker matching an options object.</summary>
public static class TrackerFactory
{
    /// <summary>Creates the tracker for <paramref name="options"/>: <see cref="ScriptTrackerOptions"/> → <see cref="ScriptTracker"/>,
    /// <see cref="ProcessTrackerOptions"/> → <see cref="ProcessTracker"/>, <see cref="InterfaceTrackerOptions"/> → <see cref="InterfaceTracker"/>,
    /// <see cref="FileTrackerOptions"/> → <see cref="FileTracker"/>, <see cref="TcpTrackerOptions"/> → <see cref="TcpTracker"/>,
    /// <see cref="HttpTrackerOptions"/> → <see cref="HttpTracker"/>, <see cref="SourceAddressTrackerOptions"/> → <see cref="SourceAddressTracker"/>. Dispose the result when it is <see cref="IDisposable"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid, or of no built-in kind.</exception>
    public static IVrrpTracker Create(TrackerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options switch
        {
            ScriptTrackerOptions o => new ScriptTracker(o, logger),
            ProcessTrackerOptions o => new ProcessTracker(o),
            InterfaceTrackerOptions o => new InterfaceTracker(o),
            FileTrackerOptions o => new FileTracker(o, logger),
            TcpTrackerOptions o => new TcpTracker(o),
            HttpTrackerOptions o => new HttpTracker(o),
            SourceAddressTrackerOptions o => new SourceAddressTracker(o),
            _ => throw new ArgumentException($"No built-in tracker for {options.GetType().Name}; implement {nameof(IVrrpTracker)}.", nameof(options)),
        };
    }
}
