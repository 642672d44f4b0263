using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Vrrp.Host.Demo;

/// <summary>Plain text: one line per timeline event as it happens, no ANSI escapes (pipes, CI, <c>--plain</c>).</summary>
internal sealed class PlainDemoView(TextWriter output)
{
    public void Attach(DemoScenario scenario) => scenario.EventAdded += e => output.WriteLine(e.ToString());

    public void Header(string clock)
    {
        foreach (string line in DemoText.Header(clock))
        {
            output.WriteLine(line);
        }

        output.WriteLine();
    }

    public void Footer(DemoScenario scenario)
    {
        output.WriteLine();
        output.WriteLine("final: " + string.Join(", ", scenario.Routers.Select(r => $"{r.Name} {r.State}")));
        output.WriteLine(DemoText.Result(scenario));
    }
}

/// <summary>A Spectre.Console live view for terminals: the routers' state table above the growing timeline.</summary>
internal static class LiveDemoView
{
    /// <param name="scenario">The running scenario.</param>
    /// <param name="clock">How the clock runs, for the header.</param>
    /// <param name="height">The terminal's height: the timeline keeps its newest rows that fit (about two lines each).</param>
    public static IRenderable Render(DemoScenario scenario, string clock, int height)
    {
        Table routers = new Table().Border(TableBorder.Rounded).Title("[bold]routers[/]");
        routers.AddColumns("router", "address", "state", "priority", "effective", "health check", "adverts sent", "adverts rcvd");
        foreach (DemoRouterView r in scenario.Routers)
        {
            routers.AddRow(
                new Markup(Markup.Escape(r.Name)),
                new Markup(Markup.Escape(r.Address.ToString())),
                new Markup($"[{StateColour(r.State)}]{Markup.Escape(r.State)}[/]"),
                new Markup(r.BasePriority.ToString(CultureInfo.InvariantCulture)),
                new Markup(r.EffectivePriority.ToString(CultureInfo.InvariantCulture)),
                new Markup(r.HealthCheck == "ok" ? "[green]ok[/]" : "[red]failing[/]"),
                new Markup(r.AdvertsSent.ToString(CultureInfo.InvariantCulture)),
                new Markup(r.AdvertsReceived.ToString(CultureInfo.InvariantCulture)));
        }

        Table timeline = new Table().Border(TableBorder.Simple).Title("[bold]timeline[/]");
        timeline.AddColumns("time", "router", "event", "reason / bound");
        int fit = Math.Max(4, (height - 20) / 2);
        int skip = Math.Max(0, scenario.Events.Count - fit);
        if (skip > 0)
        {
            timeline.AddRow(new Markup(""), new Markup(""), new Markup(string.Create(CultureInfo.InvariantCulture, $"[grey]... {skip} earlier[/]")), new Markup(""));
        }

        foreach (DemoEvent e in scenario.Events.Skip(skip))
        {
            string time = e.Time.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + " s";
            switch (e.Kind)
            {
                case DemoEventKind.Step:
                    timeline.AddRow(new Markup($"[grey]{time}[/]"), new Markup("[yellow]scenario[/]"), new Markup($"[bold yellow]{Markup.Escape(e.Text)}[/]"), new Markup($"[yellow]{Markup.Escape(e.Detail)}[/]"));
                    break;
                case DemoEventKind.Verdict:
                    timeline.AddRow(new Markup($"[grey]{time}[/]"), new Markup(Markup.Escape(e.Router)), new Markup(e.Ok ? "[green]ok[/]" : "[red]FAILED[/]"), new Markup(Markup.Escape(e.Text + " " + e.Detail)));
                    break;
                default:
                    string to = e.Text.Split(" -> ") is [_, var state] ? state : e.Text;
                    timeline.AddRow(new Markup($"[grey]{time}[/]"), new Markup(Markup.Escape(e.Router)), new Markup($"[{StateColour(to)}]{Markup.Escape(e.Text)}[/]"), new Markup(Markup.Escape(e.Detail)));
                    break;
            }
        }

        string progress = string.Create(CultureInfo.InvariantCulture, $"[bold]vrrp demo[/]  simulated time [bold]{scenario.Now.TotalSeconds:0.0} s[/] of {DemoScenario.Duration.TotalSeconds:0} s  ({Markup.Escape(clock)})");
        return new Rows(new Markup(progress), new Markup("[grey]" + Markup.Escape(DemoText.Header(clock)[1]) + "[/]"), routers, timeline);
    }

    private static string StateColour(string state) => state switch
    {
        "MASTER" => "bold green",
        "BACKUP" => "blue",
        "FAULT" => "bold red",
        "CRASHED" => "red",
        "STOP" => "grey",
        _ => "white",
    };
}

/// <summary>Texts shared by both views.</summary>
internal static class DemoText
{
    public static string[] Header(string clock) =>
    [
        "vrrp demo: three VRRPv3 routers on an in-memory network in this process (no root, no network, no cloud).",
        "alpha 192.0.2.1 priority 150, bravo 192.0.2.2 priority 120, charlie 192.0.2.3 priority 100; VRID 51, advert_int 1 s, preempt, health check weight 0 (FAULT).",
        $"clock: {clock}. Bounds: Master_Down_Interval = 3 x Master_Adver_Interval + Skew_Time; Skew_Time = (256 - priority) x Master_Adver_Interval / 256.",
    ];

    public static string Result(DemoScenario scenario)
    {
        DemoEvent[] failures = [.. scenario.Failures];
        return failures.Length == 0 && scenario.StepsPassed == scenario.StepCount
            ? $"result: all {scenario.StepCount} steps as expected."
            : $"result: {failures.Length} of {scenario.StepCount} steps FAILED: " + string.Join("; ", failures.Select(f => f.Text + " " + f.Detail));
    }
}
