namespace Vrrp.Integration.Tests.Lab;

/// <summary>
/// What the namespace tests need. A missing prerequisite fails the test with a message that says what to install
/// or how to run; it never turns into a skip (in CI, .ci/run installs all of them and runs as root).
/// </summary>
public static class Prerequisites
{
    public static void RequireRoot()
    {
        Assert.True(Environment.UserName == "root" || geteuid() == 0,
            "This test builds network namespaces and opens raw sockets: run it as root (CI does), e.g. sudo dotnet test.");
    }

    public static string RequireProgram(string name, string package)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':').Concat(["/usr/sbin", "/sbin"]))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"'{name}' is not installed: apt-get install {package} (.ci/run installs it).");
        return name;
    }

    [System.Runtime.InteropServices.DllImport("libc")]
#pragma warning disable SYSLIB1054 // a one-off call in tests
    private static extern uint geteuid();
#pragma warning restore SYSLIB1054
}
