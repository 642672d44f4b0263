using System.Globalization;
using System.Text.RegularExpressions;
using Vrrp.Integration.Tests.Lab;

namespace Vrrp.Integration.Tests.Chaos;

/// <summary>One router of the chaos lab — our <c>vrrp run</c> or keepalived — and the states it reported, with wall-clock times.</summary>
internal sealed partial class ChaosNode(string name, string ns, int self, int priority, VrrpHost? ours, Keepalived? keepalived)
{
    public string Name { get; } = name;

    public string Namespace { get; } = ns;

    public int Self { get; } = self;

    public int Priority { get; } = priority;

    public string Kind => ours is null ? "keepalived" : "ours";

    /// <summary>Every state the node entered, in order, with the time it did.</summary>
    public IReadOnlyList<(DateTimeOffset At, string State)> Events
    {
        get
        {
            if (ours is not null)
            {
                return [.. ours.Transitions.Select(t => (t.Time, t.To))];
            }

            return [.. keepalived!.Lines
                .Select(l => (l.At, Match: EnteringState().Match(l.Line)))
                .Where(l => l.Match.Success)
                .Select(l => (keepalived.WallClock(l.At), l.Match.Groups[1].Value))];
        }
    }

    public string State => Events.Count == 0 ? "NONE" : Events[^1].State;

    /// <summary>The state at <paramref name="at"/>, from the events.</summary>
    public string StateAt(DateTimeOffset at) => Events.LastOrDefault(e => e.At <= at) is { State: not null } e ? e.State : "NONE";

    public string Log => ours?.Log ?? keepalived!.Log;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({Kind}, priority {Priority}): {State}");

    [GeneratedRegex(@"Entering (\w+) STATE")]
    private static partial Regex EnteringState();
}
