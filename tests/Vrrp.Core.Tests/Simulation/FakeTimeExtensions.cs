using Microsoft.Extensions.Time.Testing;

namespace Vrrp.Tests.Simulation;

internal static class FakeTimeExtensions
{
    /// <summary>
    /// Advances in small steps. FakeTimeProvider.Advance moves the clock to the end first and then fires the due
    /// timers, so a message sent from a timer callback during one big step would only be delivered in the next one.
    /// </summary>
    public static void Run(this FakeTimeProvider time, TimeSpan duration, TimeSpan? step = null)
    {
        TimeSpan s = step ?? TimeSpan.FromMilliseconds(10);
        for (TimeSpan done = TimeSpan.Zero; done < duration; done += s)
        {
            time.Advance(done + s <= duration ? s : duration - done);
        }
    }
}
