using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Vrrp.Diagnostics;
using Vrrp.Host.Demo;

namespace Vrrp.Host.Commands;

/// <summary>
/// <c>vrrp demo</c>: three routers on the in-memory network run a scripted failover scenario on a simulated clock
/// (election, crash, failing health check, recovery, restart and preemption, graceful shutdown) and check their own
/// timeline. A live Spectre.Console view on a terminal; plain lines when output is redirected or with <c>--plain</c>.
/// Exit codes: 0 every step as expected, 1 a step failed (the message says which), 2 bad arguments.
/// </summary>
internal static class DemoCommand
{
    public const int Passed = 0;
    public const int Failed = 1;
    public const int BadInput = 2;

    /// <summary>The default pace: 30 simulated seconds in 15 s of wall time.</summary>
    public const double DefaultSpeed = 2;

    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(50);

    public static Command Create()
    {
        Option<string> speed = new("--speed")
        {
            Description = "Simulated seconds per wall-clock second (default 2: about 15 s), or 'max' to run at once.",
            DefaultValueFactory = _ => DefaultSpeed.ToString(CultureInfo.InvariantCulture),
        };
        Option<bool> instant = new("--instant") { Description = "Run the simulated clock as fast as possible (same as --speed max): well under a second." };
        Option<bool> plain = new("--plain") { Description = "Plain text lines, no live view and no ANSI escapes (the default when output is not a terminal)." };
        Option<bool> snapshot = new("--snapshot") { Description = "At the end, print the live routers' state as keepalived.json." };
        Command command = new("demo", "Run a scripted VRRP failover scenario with three routers on a simulated network, in this process.") { speed, instant, plain, snapshot };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(speed)!,
            parse.GetValue(instant),
            parse.GetValue(plain),
            parse.GetValue(snapshot),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string speedText, bool instant, bool plain, bool snapshot, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        double speed;
        if (instant || string.Equals(speedText, "max", StringComparison.OrdinalIgnoreCase))
        {
            speed = double.PositiveInfinity;
        }
        else if (!double.TryParse(speedText, NumberStyles.Float, CultureInfo.InvariantCulture, out speed) || !(speed > 0) || double.IsInfinity(speed))
        {
            error.WriteLine($"error: --speed is a positive number or 'max'; got '{speedText}'.");
            return BadInput;
        }

        string clock = double.IsPositiveInfinity(speed)
            ? "simulated, as fast as possible"
            : string.Create(CultureInfo.InvariantCulture, $"simulated, {speed:0.##}x real time (--speed max to run at once)");
        bool live = !plain && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Ansi;

        using DemoScenario scenario = new();
        try
        {
            if (live)
            {
                await AnsiConsole.Live(LiveDemoView.Render(scenario, clock, AnsiConsole.Profile.Height)).AutoClear(false).StartAsync(async context =>
                {
                    await Drive(scenario, speed, cancellationToken, () =>
                    {
                        context.UpdateTarget(LiveDemoView.Render(scenario, clock, AnsiConsole.Profile.Height));
                        context.Refresh();
                    }).ConfigureAwait(false);
                    context.UpdateTarget(LiveDemoView.Render(scenario, clock, AnsiConsole.Profile.Height));
                }).ConfigureAwait(false);
                foreach (DemoEvent verdict in scenario.Events.Where(e => e.Kind == DemoEventKind.Verdict))
                {
                    AnsiConsole.MarkupLine((verdict.Ok ? "[green]" : "[red]") + Markup.Escape(verdict.ToString()) + "[/]");
                }

                AnsiConsole.MarkupLine(scenario.Failures.Any() ? "[red]" + Markup.Escape(DemoText.Result(scenario)) + "[/]" : "[green]" + Markup.Escape(DemoText.Result(scenario)) + "[/]");
            }
            else
            {
                PlainDemoView view = new(output);
                view.Header(clock);
                view.Attach(scenario);
                await Drive(scenario, speed, cancellationToken, static () => { }).ConfigureAwait(false);
                view.Footer(scenario);
            }
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("vrrp demo: interrupted.");
            return Failed;
        }

        if (snapshot)
        {
            output.WriteLine(VrrpSnapshot.Create(scenario.LiveRouters, scenario.LastTransitions).ToJson());
        }

        if (scenario.Failures.Any() || scenario.StepsPassed != scenario.StepCount)
        {
            error.WriteLine("vrrp demo: " + DemoText.Result(scenario));
            return Failed;
        }

        return Passed;
    }

    /// <summary>Advances the simulated clock: at once when <paramref name="speed"/> is infinite, else paced by the system clock.</summary>
    private static async Task Drive(DemoScenario scenario, double speed, CancellationToken cancellationToken, Action refresh)
    {
        if (double.IsPositiveInfinity(speed))
        {
            scenario.RunUntil(DemoScenario.Duration);
            refresh();
            return;
        }

        long start = TimeProvider.System.GetTimestamp();
        while (!scenario.IsFinished)
        {
            cancellationToken.ThrowIfCancellationRequested();
            scenario.RunUntil(TimeProvider.System.GetElapsedTime(start) * speed);
            refresh();
            await Task.Delay(Frame, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }
}
