using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Vrrp.Integration.Tests.Lab;

namespace Vrrp.Integration.Tests.Publishing;

/// <summary>
/// The <c>vrrp</c> host published NativeAOT the way docs/benchmarks.md says, with warnings as errors (the one
/// PacketDotNet warning is kept a warning by src/Vrrp.Host/Vrrp.Host.csproj): the publish succeeds, the binary decodes
/// keepalived's packets exactly as the JIT build does, and on the wire it becomes MASTER and announces its virtual
/// address with gratuitous ARPs — the code path PacketDotNet's trim warning is about.
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class NativeAotHostTests(NativeAotHostTests.PublishedHost published) : IClassFixture<NativeAotHostTests.PublishedHost>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public void The_native_binary_decodes_every_keepalived_vector_exactly_as_the_jit_host()
    {
        string vectors = Path.Combine(AppContext.BaseDirectory, "vectors");
        string[] files = Directory.GetFiles(vectors, "*.json");
        Assert.NotEmpty(files);
        int decoded = 0;
        foreach (string file in files)
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (JsonElement packet in document.RootElement.GetProperty("packets").EnumerateArray())
            {
                string hex = packet.GetProperty("ip_packet_hex").GetString()!;
                (int aotExit, string aot) = PublishedHost.Run(published.Binary, $"decode {hex}");
                (int jitExit, string jit) = PublishedHost.Run(published.Dotnet, $"{Path.Combine(AppContext.BaseDirectory, "vrrp.dll")} decode {hex}");
                Assert.Equal(0, jitExit);
                Assert.True(aotExit == 0, $"{Path.GetFileName(file)}: exit {aotExit}\n{aot}");
                Assert.Equal(jit, aot);
                Assert.Contains("checksum", aot, StringComparison.OrdinalIgnoreCase);
                decoded++;
            }
        }

        Assert.True(decoded >= files.Length, $"{decoded} packets decoded from {files.Length} vectors");
    }

    [Fact]
    public void The_native_binary_becomes_master_and_announces_its_virtual_address_on_the_wire()
    {
        string tshark = Prerequisites.RequireProgram("tshark", "tshark");
        using BridgeLab lan = new();
        string node = lan.AddHost("n1", "192.0.2.1/24");
        string observer = lan.AddHost("obs", "192.0.2.3/24");
        string mac = BridgeLab.Mac(node);
        const string Vip = "192.0.2.100";

        ConcurrentQueue<string> captured = new();
        lan.Lab.Start(observer, tshark, "-i eth0 -l -n -f arp -T fields -E separator=; -e eth.src -e arp.src.proto_ipv4 -e arp.dst.proto_ipv4", captured.Enqueue);
        WaitUntil(() => captured.Any(l => l.Contains("Capturing on", StringComparison.Ordinal)), "tshark capturing", () => string.Join('\n', captured));

        string config = Path.Combine(lan.Lab.Directory, "aot.conf");
        File.WriteAllText(config, $$"""
            vrrp_instance VI_AOT {
              state BACKUP
              interface eth0
              virtual_router_id 51
              priority 150
              advert_int 0.5
              version 3
              unicast_src_ip 192.0.2.1
              unicast_peer {
                192.0.2.2
              }
              garp_master_delay 0
              garp_master_repeat 3
              virtual_ipaddress {
                {{Vip}}/24 dev eth0
              }
            }
            """);
        ConcurrentQueue<string> log = new();
        Process host = lan.Lab.Start(node, published.Binary, $"run --config {config} --state-file {Path.Combine(Path.GetDirectoryName(config)!, "state.json")} --log-level Information", log.Enqueue);

        WaitUntil(() => log.Any(l => l.StartsWith("vrrp-transition ", StringComparison.Ordinal) && l.Contains("to=MASTER", StringComparison.Ordinal)),
            "the native host MASTER", () => string.Join('\n', log));
        WaitUntil(() => NetnsLab.Ip($"-n {node} -o addr show dev eth0").Contains($" {Vip}/24", StringComparison.Ordinal), "the virtual address on n1",
            () => string.Join('\n', log));
        WaitUntil(() => Garps(captured, mac, Vip) >= 3, "3 gratuitous ARPs for the virtual address", () => string.Join('\n', captured) + "\n" + string.Join('\n', log));
        Assert.False(host.HasExited, string.Join('\n', log));
        Assert.DoesNotContain(log, l => l.Contains("Unhandled exception", StringComparison.Ordinal) || l.Contains("MissingMethod", StringComparison.Ordinal));
    }

    private static int Garps(IEnumerable<string> captured, string mac, string vip) =>
        captured.Select(l => l.Split(';')).Count(f => f.Length >= 3 && f[0] == mac && f[1] == vip && f[2] == vip);

    private static void WaitUntil(Func<bool> condition, string what, Func<string>? detail = null) => Poll.Until(condition, Bound, what, detail);

    /// <summary>Publishes src/Vrrp.Host NativeAOT once for the class, into a scratch directory deleted afterwards.</summary>
    public sealed class PublishedHost : IDisposable
    {
        private readonly string _directory;

        public PublishedHost()
        {
            Prerequisites.RequireProgram("clang", "clang (NativeAOT links with it)");
            Dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath)
                ? hostPath
                : Prerequisites.RequireProgram("dotnet", "the .NET SDK");
            string root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "Vrrp.sln")))
            {
                root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("Vrrp.sln not found above the test directory");
            }

            _directory = Directory.CreateTempSubdirectory("vrrp-aot-").FullName;
            string output = Path.Combine(_directory, "out");
            // Its own artifacts path: the publish shares no bin/obj with the build running the tests.
            (int exit, string log) = Run(Dotnet, $"publish {Path.Combine(root, "src", "Vrrp.Host")} -c Release -r linux-x64 -p:PublishAot=true " +
                $"--artifacts-path {Path.Combine(_directory, "artifacts")} -o {output} -nologo --disable-build-servers", TimeSpan.FromMinutes(10));
            Assert.True(exit == 0, $"the NativeAOT publish failed ({exit}):\n{log}");
            // Warnings as errors (Directory.Build.props): the only warning left is PacketDotNet's IL2104, by design.
            Assert.DoesNotContain(log.Split('\n'), l => l.Contains("warning IL", StringComparison.Ordinal) && !l.Contains("IL2104: Assembly 'PacketDotNet'", StringComparison.Ordinal));
            Binary = Path.Combine(output, "vrrp");
            Assert.True(File.Exists(Binary), $"no {Binary} after the publish:\n{log}");
        }

        public string Binary { get; }

        public string Dotnet { get; }

        public static (int Exit, string Output) Run(string program, string arguments, TimeSpan? timeout = null)
        {
            ProcessStartInfo info = new(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            // The test host's MSBuild variables would point a nested `dotnet publish` at the test run's SDK state.
            foreach (string name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "MSBUILD_EXE_PATH").ToList())
            {
                info.Environment.Remove(name);
            }

            using Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"timed out after {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds} s\n{stdout.Result}{stderr.Result}");
            }

            return (process.ExitCode, stdout.Result + stderr.Result);
        }

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }
}
