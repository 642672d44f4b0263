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
