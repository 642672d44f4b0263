using System.Diagnostics;
using System.Net.Http;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace Vrrp.Aws.Tests.Infrastructure;

/// <summary>
/// Starts moto's EC2 emulator (<c>moto_server -H 127.0.0.1 -p PORT</c>) once for the tests that share it, waits until it
/// answers, and kills it by PID in <see cref="Dispose"/>. Its lifetime is also bounded by <c>timeout</c>, so a crashed test
/// host cannot leave it running.
/// </summary>
public sealed class MotoServerFixture : IDisposable
{
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(10);
    private readonly Process? _process;

    public MotoServerFixture()
    {
        string? moto = FindMoto();
        if (moto is null)
        {
            bool ci = Environment.GetEnvironmentVariable("CI") == "true";
            StartError = "moto_server was not found on PATH or in ~/.pyenv/shims: install moto[server] (pip install 'moto[server]') to run the EC2 emulator tests"
                + (ci ? " (CI=true: this is a failure, not a skip)." : ".");
            return;
        }

        Port = LoopbackHttpServer.FreePort();
        string timeoutTool = File.Exists("/usr/bin/timeout") ? "/usr/bin/timeout" : "";
        var start = new ProcessStartInfo
        {
            FileName = timeoutTool.Length > 0 ? timeoutTool : moto,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (timeoutTool.Length > 0)
        {
            start.ArgumentList.Add("-s");
            start.ArgumentList.Add("KILL");
            start.ArgumentList.Add(((int)MaxLifetime.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
            start.ArgumentList.Add(moto);
        }

        foreach (string arg in new[] { "-H", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        try
        {
            WaitUntilReady();
            // The first EC2 calls load moto's backend (seconds, more on a loaded 2-core machine): build the world with a
            // patient client, then hand the tests one with the normal request timeout.
            using (AmazonEC2Client setup = Ec2Clients.For(ServiceUrl, TimeSpan.FromSeconds(90)))
            {
                World = MotoWorld.CreateAsync(setup).GetAwaiter().GetResult();
            }

            Client = Ec2Clients.For(ServiceUrl);
        }
        catch (Exception ex)
        {
            StartError = $"moto_server ({moto}) on port {Port} did not come up: {ex.Message}";
            Dispose();
        }
    }

    public int Port { get; }

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    public string? StartError { get; }

    public AmazonEC2Client? Client { get; }

    public MotoWorld? World { get; }

    /// <summary>The emulator's client and world, or a test failure that says why there is none.</summary>
    public (AmazonEC2Client Client, MotoWorld World) Require()
    {
        Assert.True(StartError is null, StartError);
        return (Client!, World!);
    }

    public void Dispose()
    {
        Client?.Dispose();
        if (_process is { } p)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            p.Dispose();
        }
    }

    private void WaitUntilReady()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"it exited with code {_process.ExitCode}");
            }

            try
            {
                using HttpResponseMessage response = http.GetAsync(new Uri($"{ServiceUrl}/moto-api/")).GetAwaiter().GetResult();
                return;
            }
            catch (HttpRequestException) when (watch.Elapsed < TimeSpan.FromSeconds(60))
            {
            }
            catch (TaskCanceledException) when (watch.Elapsed < TimeSpan.FromSeconds(60))
            {
            }

            Thread.Sleep(100);
        }
    }

    private static string? FindMoto()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "moto_server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        string shim = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv", "shims", "moto_server");
        return File.Exists(shim) ? shim : null;
    }
}

/// <summary>A VPC with two subnets in two AZs, one instance in each (node A and node B) with their ENIs, an Elastic IP and a route table.</summary>
public sealed record MotoWorld(string VpcId, string SubnetA, string SubnetB, string InstanceA, string InstanceB, string EniA, string EniB, string AllocationId, string PublicIp, string RouteTableA, string RouteTableB)
{
    public static async Task<MotoWorld> CreateAsync(IAmazonEC2 ec2)
    {
        string vpc = (await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.18.0.0/16" })).Vpc.VpcId;
        string subnetA = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpc, CidrBlock = "10.18.16.0/24", AvailabilityZone = "us-east-1a" })).Subnet.SubnetId;
        string subnetB = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpc, CidrBlock = "10.18.18.0/24", AvailabilityZone = "us-east-1b" })).Subnet.SubnetId;
        string image = (await ec2.DescribeImagesAsync(new DescribeImagesRequest())).Images?.FirstOrDefault()?.ImageId ?? "ami-12c6146b";
        Instance a = (await ec2.RunInstancesAsync(new RunInstancesRequest { ImageId = image, MinCount = 1, MaxCount = 1, SubnetId = subnetA, InstanceType = InstanceType.T3Micro })).Reservation.Instances[0];
        Instance b = (await ec2.RunInstancesAsync(new RunInstancesRequest { ImageId = image, MinCount = 1, MaxCount = 1, SubnetId = subnetB, InstanceType = InstanceType.T3Micro })).Reservation.Instances[0];
        string eniA = a.NetworkInterfaces![0].NetworkInterfaceId;
        string eniB = b.NetworkInterfaces![0].NetworkInterfaceId;
        AllocateAddressResponse eip = await ec2.AllocateAddressAsync(new AllocateAddressRequest { Domain = DomainType.Vpc });
        string rtA = (await ec2.CreateRouteTableAsync(new CreateRouteTableRequest { VpcId = vpc })).RouteTable.RouteTableId;
        string rtB = (await ec2.CreateRouteTableAsync(new CreateRouteTableRequest { VpcId = vpc })).RouteTable.RouteTableId;
        return new MotoWorld(vpc, subnetA, subnetB, a.InstanceId, b.InstanceId, eniA, eniB, eip.AllocationId, eip.PublicIp, rtA, rtB);
    }
}
