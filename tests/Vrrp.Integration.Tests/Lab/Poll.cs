using System.Diagnostics;

namespace Vrrp.Integration.Tests.Lab;

/// <summary>Waits for a condition on real processes and the wire, failing the test with what was awaited and why.</summary>
public static class Poll
{
    /// <summary>Polls <paramref name="condition"/> every 50 ms; fails after <paramref name="bound"/> with <paramref name="what"/> and the detail.</summary>
    public static void Until(Func<bool> condition, TimeSpan bound, string what, Func<string>? detail = null)
    {
        Stopwatch watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > bound)
            {
                Assert.Fail($"not within {bound.TotalSeconds} s: {what}\n{detail?.Invoke()}");
            }

            Thread.Sleep(50);
        }
    }
}
