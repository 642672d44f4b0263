using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;

namespace Vrrp.Integration.Tests.Lab;

/// <summary>
/// A throw-away test network: network namespaces joined by veth pairs created directly inside them (nothing in
/// the root namespace), documentation-range addresses only. Everything it creates — namespaces and the processes
/// it started — is removed in <see cref="Dispose"/>, also when a test fails.
/// </summary>
public sealed partial class NetnsLab : IDisposable
{
    private const int CLONE_NEWNET = 0x40000000;
    private static int s_counter;
    private readonly List<string> _namespaces = [];
    private readonly List<Process> _processes = [];
    private readonly string _prefix;

    public NetnsLab()
    {
        Prerequisites.RequireRoot();
        Prerequisites.RequireProgram("ip", "iproute2");
        _prefix = $"vt{Environment.ProcessId % 100000}x{Interlocked.Increment(ref s_counter)}";
        Directory = System.IO.Directory.CreateTempSubdirectory("vrrp-lab-").FullName;
    }

    /// <summary>A scratch directory for configuration files, pid files and logs; deleted on dispose.</summary>
    public string Directory { get; }

    /// <summary>Creates a namespace with <c>lo</c> up; returns its full name.</summary>
    public string AddNamespace(string shortName)
    {
        string name = $"{_prefix}{shortName}";
        Ip($"netns add {name}");
        _namespaces.Add(name);
        Ip($"-n {name} link set lo up");
        return name;
    }

    /// <summary>
    /// Joins two namespaces with a veth pair (interfaces <paramref name="ifA"/> and <paramref name="ifB"/>) and
    /// gives each end its addresses (IPv6 with nodad so they are usable at once).
    /// </summary>
    public void Link(string nsA, string ifA, string[] addressesA, string nsB, string ifB, string[] addressesB)
    {
        Ip($"-n {nsA} link add {ifA} type veth peer name {ifB} netns {nsB}");
        Configure(nsA, ifA, addressesA);
        Configure(nsB, ifB, addressesB);
    }

    /// <summary>Runs <c>ip ARGS</c> and fails the test with its output when it fails.</summary>
    public static string Ip(string arguments)
    {
        (int exit, string output) = Run("ip", arguments);
        Assert.True(exit == 0, $"ip {arguments} failed ({exit}): {output}");
        return output;
    }

    /// <summary>Runs a command inside a namespace to completion.</summary>
    public static (int Exit, string Output) Exec(string ns, string command, string arguments) => Run("ip", $"netns exec {ns} {command} {arguments}");

    /// <summary>Starts a long-running process inside a namespace; it is killed (by PID) on dispose.</summary>
    public Process Start(string ns, string command, string arguments, Action<string>? onOutput = null)
    {
        ProcessStartInfo info = new("ip", $"netns exec {ns} {command} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {command}");
        _processes.Add(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { onOutput?.Invoke(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { onOutput?.Invoke(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a dedicated thread that has entered <paramref name="ns"/> (setns), so
    /// sockets it opens live in that namespace. The thread ends afterwards; pool threads are never switched.
    /// </summary>
    public static T InNamespace<T>(string ns, Func<T> action)
    {
        T result = default!;
        Exception? error = null;
        Thread thread = new(() =>
        {
            try
            {
                using SafeHandle handle = File.OpenHandle($"/var/run/netns/{ns}");
                if (setns((int)handle.DangerousGetHandle(), CLONE_NEWNET) != 0)
                {
                    throw new InvalidOperationException($"setns({ns}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                result = action();
            }
#pragma warning disable CA1031 // rethrown on the calling thread
            catch (Exception e)
#pragma warning restore CA1031
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            throw new AggregateException($"in namespace {ns}", error);
        }

        return result;
    }

    public void Dispose()
    {
        foreach (Process process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        foreach (string ns in _namespaces)
        {
            // Kill anything still running inside (e.g. a keepalived child that outlived its parent), then delete.
            Run("ip", $"netns pids {ns}").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => int.TryParse(p, out int pid) ? pid : 0).Where(pid => pid > 0).ToList()
                .ForEach(pid => { try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { } });
            Run("ip", $"netns del {ns}");
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Configure(string ns, string ifName, string[] addresses)
    {
        foreach (string address in addresses)
        {
            string prefix = address.Split('/')[0];
            bool v6 = IPAddress.Parse(prefix).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            Ip($"-n {ns} addr add {address} dev {ifName}{(v6 ? " nodad" : "")}");
        }

        Ip($"-n {ns} link set {ifName} up");
    }

    private static (int Exit, string Output) Run(string command, string arguments)
    {
        ProcessStartInfo info = new(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{command} {arguments} timed out");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);
}
