using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using BenchmarkDotNet.Attributes;
using Vrrp.Aws;

namespace Vrrp.Benchmarks;

/// <summary>
/// Vrrp.Aws's own cost per transition (building the request, interpreting the verification answer, the check-first
/// EnsureHeldAsync) against the SDK call itself, all against a fake EC2 on loopback (127.0.0.1 only) that answers
/// DescribeAddresses with the address already held, so no state changes between iterations.
/// </summary>
[MemoryDiagnoser]
public class AwsBenchmarks
{
    private const string AllocationId = "eipalloc-0bench";
    private const string Eni = "eni-0bench";
    private const string DescribeXml =
        "<DescribeAddressesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId><addressesSet><item>"
        + "<publicIp>198.51.100.7</publicIp><allocationId>" + AllocationId + "</allocationId><domain>vpc</domain>"
        + "<associationId>eipassoc-1</associationId><networkInterfaceId>" + Eni + "</networkInterfaceId>"
        + "<privateIpAddress>10.18.16.50</privateIpAddress></item></addressesSet></DescribeAddressesResponse>";

    private readonly DescribeAddressesResponse _parsed = new()
    {
        Addresses = [new Address { AllocationId = AllocationId, PublicIp = "198.51.100.7", NetworkInterfaceId = Eni, PrivateIpAddress = "10.18.16.50" }],
    };

    private HttpListener? _listener;
    private CancellationTokenSource? _stop;
    private AmazonEC2Client? _client;
    private ElasticIpAddress? _eip;

    [GlobalSetup]
    public void Setup()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _stop = new CancellationTokenSource();
        byte[] body = Encoding.UTF8.GetBytes(DescribeXml);
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                using (var drain = new StreamReader(context.Request.InputStream))
                {
                    await drain.ReadToEndAsync();
                }

                context.Response.ContentType = "text/xml";
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });

        AmazonEC2Config config = AwsEc2ClientFactory.CreateConfig(new AwsFailoverOptions { ServiceUrl = $"http://127.0.0.1:{port}", Region = "us-east-1" });
        _client = new AmazonEC2Client(new BasicAWSCredentials("testing", "testing"), config);
        _eip = new ElasticIpAddress(_client, new ElasticIpOptions { AllocationId = AllocationId, NetworkInterfaceId = Eni, PrivateIpAddress = "10.18.16.50" });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop?.Cancel();
        _listener?.Stop();
        _listener?.Close();
        _client?.Dispose();
        _stop?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "SDK DescribeAddressesAsync (loopback)")]
    public Task<DescribeAddressesResponse> SdkDescribe() =>
        _client!.DescribeAddressesAsync(new DescribeAddressesRequest { AllocationIds = [AllocationId] });

    [Benchmark(Description = "EnsureHeldAsync, already held (loopback)")]
    public Task<FloatingAddressResult> EnsureHeld() => _eip!.EnsureHeldAsync(CancellationToken.None);

    [Benchmark(Description = "adapter: build AssociateAddress request")]
    public AssociateAddressRequest BuildAssociate() => ElasticIpAddress.BuildAssociate(AllocationId, Eni, "10.18.16.50");

    [Benchmark(Description = "adapter: interpret DescribeAddresses")]
    public FloatingAddressState Interpret() => ElasticIpAddress.Interpret(_parsed, AllocationId, Eni, "10.18.16.50");
}
