namespace Vrrp.Transports;

/// <summary>The conditions of one direction of a simulated link between two nodes of an <see cref="InMemoryNetwork"/>.</summary>
public sealed record InMemoryLink
{
    /// <summary>A perfect link: no loss, no duplication, delivered on the next timer tick.</summary>
    public static InMemoryLink Perfect { get; } = new();

    /// <summary>The probability (0 to 1) that a message is lost.</summary>
    public double DropProbability { get; init; }

    /// <summary>The probability (0 to 1) that a message is delivered twice.</summary>
    public double DuplicateProbability { get; init; }

    /// <summary>The one-way delay. Delivery always happens from a timer, never inside the sender's call.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>An extra random delay, uniform between zero and this value, added to <see cref="Delay"/>.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Routers crossed: the TTL or hop limit is decreased by this much (routed unicast arrives below 255).</summary>
    public int Hops { get; init; }
}
