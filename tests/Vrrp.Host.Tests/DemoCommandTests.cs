using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vrrp.Host.Commands;

namespace Vrrp.Host.Tests;

/// <summary><c>vrrp demo</c> in plain, instant mode, called in-process.</summary>
public sealed partial class DemoCommandTests
{
    [Fact]
    public void The_scenario_runs_to_completion_with_the_expected_masters_in_order()
    {
        Stopwatch stopwatch = Stopwatch.StartNew();
        (int exit, string output, string error) = Demo("--plain", "--instant");
        stopwatch.Stop();

        Assert.Equal(DemoCommand.Passed, exit);
        Assert.Equal("", error);
        Assert.DoesNotContain('\u001b', output);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");

        string[] masters = [.. BecameMaster().Matches(output).Select(m => m.Groups["router"].Value)];
        Assert.Equal(["alpha", "bravo", "charlie", "bravo", "alpha", "bravo"], masters);
        Assert.Equal(6, OkVerdict().Matches(output).Count);
        Assert.DoesNotContain("FAILED", output, StringComparison.Ordinal);
        Assert.Contains("bravo    MASTER -> FAULT", output, StringComparison.Ordinal);
        Assert.Contains("alpha    MASTER -> STOP     graceful shutdown (priority 0 sent)", output, StringComparison.Ordinal);
        Assert.Contains("final: alpha STOP, bravo MASTER, charlie BACKUP", output, StringComparison.Ordinal);
        Assert.Contains("result: all 6 steps as expected.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_takeover_is_measured_against_its_rfc_bound()
    {
        (_, string output, _) = Demo("--speed", "max");

        Assert.Contains("ok: bravo MASTER after 'crash alpha' - took 2.948 s, bound 3.531 s Master_Down_Interval", output, StringComparison.Ordinal);
        Assert.Contains("ok: charlie MASTER after 'health check fails on bravo' - took 0.611 s, bound 0.609 s Skew_Time", output, StringComparison.Ordinal);
        Assert.Contains("ok: bravo MASTER after 'shut alpha down gracefully' - took 0.533 s, bound 0.531 s Skew_Time", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_snapshot_option_prints_keepalived_json()
    {
        (int exit, string output, _) = Demo("--instant", "--plain", "--snapshot");

        Assert.Equal(DemoCommand.Passed, exit);
        using JsonDocument json = JsonDocument.Parse(output[output.IndexOf("\n[\n", StringComparison.Ordinal)..]);
        string[] states = [.. json.RootElement.EnumerateArray().Select(e => e.GetProperty("data").GetProperty("iname").GetString() + "=" + e.GetProperty("data").GetProperty("state_name").GetString())];
        Assert.Equal(["alpha=STOP", "bravo=MASTER", "charlie=BACKUP"], states);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("fast")]
    public void A_bad_speed_exits_2(string speed)
    {
        (int exit, _, string error) = Demo("--speed", speed);

        Assert.Equal(DemoCommand.BadInput, exit);
        Assert.Contains("--speed", error, StringComparison.Ordinal);
    }

    private static (int Exit, string Output, string Error) Demo(params string[] args)
    {
        RootCommand root = new() { DemoCommand.Create() };
        using StringWriter output = new();
        using StringWriter error = new();
        int exit = root.Parse(["demo", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [GeneratedRegex(@"^\[\s*[0-9.]+s\] (?<router>\w+)\s+\w+ -> MASTER ", RegexOptions.Multiline)]
    private static partial Regex BecameMaster();

    [GeneratedRegex(@"^\[\s*[0-9.]+s\]\s+ok: ", RegexOptions.Multiline)]
    private static partial Regex OkVerdict();
}
