using System.Net;
using System.Net.Sockets;
using Vrrp.Tracking;

namespace Vrrp.Tests.Tracking;

public class TcpTrackerTests
{
    [Fact]
    public async Task ConnectsToAListenerAndFailsOnAClosedPort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        int open = ((IPEndPoint)listener.LocalEndpoint).Port;
        TrackerResult ok = await new TcpTracker(new TcpTrackerOptions { Name = "tcp", Host = "127.0.0.1", Port = open }).CheckAsync(CancellationToken.None);
        Assert.True(ok.Success, ok.Reason);

        using TcpListener closedListener = new(IPAddress.Loopback, 0);
        closedListener.Start();
        int closed = ((IPEndPoint)closedListener.LocalEndpoint).Port;
        closedListener.Stop();
        TrackerResult ko = await new TcpTracker(new TcpTrackerOptions { Name = "tcp", Host = "127.0.0.1", Port = closed }).CheckAsync(CancellationToken.None);
        Assert.False(ko.Success);
        Assert.Contains("ConnectionRefused", ko.Reason, StringComparison.Ordinal);
    }
}

public sealed class HttpTrackerTests : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _server;
    private readonly string _prefix;

    public HttpTrackerTests()
    {
        using (TcpListener probe = new(IPAddress.Loopback, 0))
        {
            probe.Start();
            _prefix = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/";
        }

        _listener.Prefixes.Add(_prefix);
        _listener.Start();
        _server = Task.Run(ServeAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        await _server.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    [Theory]
    [InlineData("ok", true, 200)]
    [InlineData("error", false, 500)]
    public async Task SucceedsOn2xxOnly(string path, bool success, int status)
    {
        using HttpTracker tracker = new(new HttpTrackerOptions { Name = "http", Url = new Uri(_prefix + path) });
        TrackerResult result = await tracker.CheckAsync(CancellationToken.None);
        Assert.Equal(success, result.Success);
        Assert.Equal(status, result.Value);
        Assert.Contains($"HTTP {status}", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpectedStatusCodesReplace2xx()
    {
        using HttpTracker tracker = new(new HttpTrackerOptions { Name = "http", Url = new Uri(_prefix + "error"), ExpectedStatusCodes = [500] });
        Assert.True((await tracker.CheckAsync(CancellationToken.None)).Success);
    }

    [Fact]
    public async Task SlowResponsePastTheTimeoutFails()
    {
        using HttpTracker tracker = new(new HttpTrackerOptions { Name = "http", Url = new Uri(_prefix + "slow") });
        await using TrackerRunner runner = new(tracker, new TrackerOptions { Name = "http", Interval = TimeSpan.FromSeconds(10), Timeout = TimeSpan.FromMilliseconds(300) });
        TrackerResult result = await runner.RunOnceAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(result.Success);
        Assert.Contains("timed out", result.Reason, StringComparison.Ordinal);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    string path = context.Request.Url!.AbsolutePath;
                    if (path == "/slow")
                    {
                        await Task.Delay(TimeSpan.FromSeconds(5), _stop.Token);
                    }

                    context.Response.StatusCode = path == "/error" ? 500 : 200;
                    context.Response.Close();
                }
                catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException)
                {
                    // Test over.
                }
            });
        }
    }
}

public class SourceAddressTrackerTests
{
    [Theory]
    [InlineData("127.0.0.1", null, true)]
    [InlineData("127.0.0.1", "lo", true)]
    [InlineData("::1", "lo", true)]
    [InlineData("127.0.0.1", "no-such-if0", false)]
    [InlineData("192.0.2.77", null, false)]
    public async Task Succeeds_only_while_the_address_is_on_the_interface(string address, string? interfaceName, bool expected)
    {
        SourceAddressTracker tracker = new(new SourceAddressTrackerOptions { Name = "source:VI_1", Address = IPAddress.Parse(address), InterfaceName = interfaceName });

        TrackerResult result = await tracker.CheckAsync(CancellationToken.None);

        Assert.Equal(expected, result.Success);
        Assert.Contains(address, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_source_address_holds_the_instance_in_fault_through_the_runner()
    {
        Microsoft.Extensions.Time.Testing.FakeTimeProvider time = new();
        Vrrp.Routing.VirtualRouterOptions options = new()
        {
            Name = "VI_1",
            VirtualRouterId = 1,
            UnicastSource = IPAddress.Parse("192.0.2.77"),
            Peers = [new Vrrp.Routing.VrrpPeer(IPAddress.Parse("192.0.2.78"))],
            Trackers = [new Vrrp.Routing.VrrpTrackerOptions("source:VI_1")],
        };
        using Vrrp.Routing.VirtualRouter router = new(options, time);
        SourceAddressTrackerOptions trackerOptions = new() { Name = "source:VI_1", Address = options.UnicastSource };
        await using TrackerRunner runner = new(TrackerFactory.Create(trackerOptions), trackerOptions, time);
        runner.Attach(router);
        router.Start();
        Assert.Equal(Vrrp.Routing.VrrpState.Backup, router.State);

        TrackerResult result = await runner.RunOnceAsync();

        Assert.False(result.Success);
        Assert.Equal(Vrrp.Routing.VrrpState.Fault, router.State);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(Vrrp.Routing.VrrpState.Fault, router.State);
    }

    [Fact]
    public void Invalid_options_name_the_field()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new SourceAddressTracker(new SourceAddressTrackerOptions { Name = "s", InterfaceName = "a/b" }));
        Assert.Contains("Address", e.Message, StringComparison.Ordinal);
        Assert.Contains("InterfaceName", e.Message, StringComparison.Ordinal);
    }
}
