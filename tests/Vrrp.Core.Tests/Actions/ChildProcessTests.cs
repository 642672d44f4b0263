using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Vrrp.Actions;
using Vrrp.Tracking;

namespace Vrrp.Tests.Actions;

/// <summary>
/// What a script the library starts can get from it: only descriptors 0–2, only the allowed environment, a program
/// found on PATH's absolute directories (never the current directory), and bounded output.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ChildProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vrrp-child-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_descriptor_opened_without_close_on_exec_never_reaches_a_script()
    {
        // As libpcap opens its packet socket: a socket without SOCK_CLOEXEC, so exec would hand it to the child.
        int socket = Socket(2, 2, 0); // AF_INET, SOCK_DGRAM, no SOCK_CLOEXEC
        Assert.True(socket > 2, $"socket() failed: {Marshal.GetLastPInvokeError()}");
        try
        {
            Assert.Equal(0, Fcntl(socket, 1, 0) & 1); // F_GETFD: FD_CLOEXEC is not set, as libpcap leaves it

            // The shell lists its own descriptors ($$), not those of ls.
            ProcessResult result = await ProcessRunner.RunAsync(["/bin/sh", "-c", "ls /proc/$$/fd"], TimeSpan.FromSeconds(10),
                TimeProvider.System, capture: true, CancellationToken.None);

            Assert.Equal(0, result.ExitCode);
            string[] descriptors = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(["0", "1", "2"], descriptors.Order(StringComparer.Ordinal));
        }
        finally
        {
            _ = Close(socket);
        }
    }

    [Fact]
    public async Task A_script_gets_the_allowed_environment_and_nothing_else()
    {
        Environment.SetEnvironmentVariable("VRRP_TEST_SECRET_ACCESS_KEY", "do-not-leak");
        Environment.SetEnvironmentVariable("VRRP_TEST_PASSED", "passed");
        Environment.SetEnvironmentVariable("VRRPX_TEST_PREFIXED", "prefixed");
        try
        {
            ProcessResult plain = await ProcessRunner.RunAsync(["/usr/bin/env"], TimeSpan.FromSeconds(10), TimeProvider.System, capture: true, CancellationToken.None);
            Dictionary<string, string> seen = Parse(plain.Output);
            Assert.DoesNotContain("VRRP_TEST_SECRET_ACCESS_KEY", seen.Keys);
            Assert.DoesNotContain("VRRP_TEST_PASSED", seen.Keys);
            Assert.Equal(Environment.GetEnvironmentVariable("PATH"), seen["PATH"]);
            Assert.All(seen.Keys, name => Assert.True(name is "PATH" or "LANG" or "LANGUAGE" or "TZ" || name.StartsWith("LC_", StringComparison.Ordinal), name));

            ProcessResult passing = await ProcessRunner.RunAsync(["/usr/bin/env"], TimeSpan.FromSeconds(10), TimeProvider.System, capture: true,
                CancellationToken.None, ["VRRP_TEST_PASSED", "VRRPX_*"]);
            seen = Parse(passing.Output);
            Assert.Equal("passed", seen["VRRP_TEST_PASSED"]);
            Assert.Equal("prefixed", seen["VRRPX_TEST_PREFIXED"]);
            Assert.DoesNotContain("VRRP_TEST_SECRET_ACCESS_KEY", seen.Keys);
        }
        finally
        {
            Environment.SetEnvironmentVariable("VRRP_TEST_SECRET_ACCESS_KEY", null);
            Environment.SetEnvironmentVariable("VRRP_TEST_PASSED", null);
            Environment.SetEnvironmentVariable("VRRPX_TEST_PREFIXED", null);
        }
    }

    [Fact]
    public void A_program_in_the_current_directory_is_never_run_by_name()
    {
        // .NET's own lookup tries the executable's directory and the current directory before PATH: a program planted
        // there runs when root starts one by bare name. Ours looks on PATH's absolute directories only.
        string name = $"vrrp-planted-{Environment.ProcessId}";
        string planted = Path.Combine(Directory.GetCurrentDirectory(), name);
        File.WriteAllText(planted, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(planted, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            using (Process dotnet = Process.Start(new ProcessStartInfo(name) { UseShellExecute = false })!)
            {
                dotnet.WaitForExit();
                Assert.Equal(0, dotnet.ExitCode); // the attack, against .NET's lookup
            }

            Win32Exception refused = Assert.Throws<Win32Exception>(() => ChildProcess.CreateStartInfo([name]));
            Assert.Equal(2, refused.NativeErrorCode);
            Assert.Contains("not found in PATH's absolute directories", refused.Message, StringComparison.Ordinal);

            // Relative and empty PATH entries name the current directory too: skipped.
            Assert.False(ChildProcess.TryResolve(name, out _, out _, searchPath: $".::{Path.GetFileName(Directory.GetCurrentDirectory())}"));
            Assert.True(ChildProcess.TryResolve(name, out string found, out _, searchPath: $"/nonexistent:{Directory.GetCurrentDirectory()}"));
            Assert.Equal(planted, found);
        }
        finally
        {
            File.Delete(planted);
        }
    }

    [Fact]
    public void A_name_is_resolved_to_the_path_the_security_check_sees()
    {
        Assert.True(ChildProcess.TryResolve("sh", out string sh, out _));
        Assert.True(Path.IsPathFullyQualified(sh));
        Assert.Equal([sh, "-c", "true"], ChildProcess.Resolve(["sh", "-c", "true"]));
        Assert.Equal(["no-such-program-here", "x"], ChildProcess.Resolve(["no-such-program-here", "x"]));
        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), "relative/script"), ChildProcess.Resolve(["relative/script"])[0]);
    }

    [Fact]
    public async Task Output_is_read_to_its_end_and_kept_only_up_to_the_limit()
    {
        // 8 MiB on stdout: all of it is read (the script is never blocked on a full pipe), 64 Ki characters are kept.
        ProcessResult result = await ProcessRunner.RunAsync(["/bin/sh", "-c", "head -c 8388608 /dev/zero | tr '\\0' a; echo tail >&2"],
            TimeSpan.FromSeconds(30), TimeProvider.System, capture: true, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ChildProcess.DefaultOutputLimit + "tail".Length, result.Output.Length);
        Assert.EndsWith("tail", result.Output, StringComparison.Ordinal);

        BoundedOutput bounded = new(5);
        bounded.Append("abc");
        bounded.Append("defgh");
        Assert.Equal("abcde", bounded.Text);
        Assert.Equal(3, bounded.Dropped);
    }

    [Fact]
    public async Task A_tracker_script_that_floods_its_output_is_reported_with_a_bounded_reason()
    {
        using ScriptTracker tracker = new(new ScriptTrackerOptions
        {
            Name = "flood",
            Arguments = ["/bin/sh", "-c", "head -c 4194304 /dev/zero | tr '\\0' b >&2; head -c 4194304 /dev/zero; exit 3"],
            Interval = TimeSpan.FromSeconds(30),
        });

        TrackerResult result = await tracker.CheckAsync(CancellationToken.None);

        Assert.False(result.Success);
        Assert.StartsWith("exit code 3: bbbb", result.Reason, StringComparison.Ordinal);
        Assert.True(result.Reason.Length <= 200, result.Reason.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_notify_script_that_leaves_a_child_holding_its_output_does_not_hold_up_the_action()
    {
        // The background child keeps stdout and stderr open for 30 s; the script itself exits at once.
        string marker = Path.Combine(_dir, "child.pid");
        ProcessResult result = await ProcessRunner.RunAsync(["/bin/sh", "-c", $"sleep 30 & echo $! > {marker}; exit 0"],
            TimeSpan.FromSeconds(20), TimeProvider.System, capture: false, CancellationToken.None);
        Assert.Equal(0, result.ExitCode);
        int child = int.Parse(File.ReadAllText(marker).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using Process sleeper = Process.GetProcessById(child);
        Assert.False(sleeper.HasExited); // it was not killed by a closed pipe
        sleeper.Kill();
    }

    private static Dictionary<string, string> Parse(string env) =>
        env.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static extern int Socket(int domain, int type, int protocol);

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, int argument);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
