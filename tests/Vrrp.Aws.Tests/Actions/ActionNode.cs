using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Vrrp.Actions;
using Vrrp.Packets;
using Vrrp.Routing;
using Vrrp.Transports;

namespace Vrrp.Aws.Tests.Actions;

/// <summary>
/// One VRRP node on an <see cref="InMemoryNetwork"/> (real clock, VRRPv3) with its own failover pipeline and a
/// <see cref="FloatingAddressAction"/>, as each host of the reference deployment runs them. Crash and restart it like a
/// process: the router, pipeline and action are thrown away and rebuilt.
/// </summary>
internal sealed class ActionNode : IAsyncDisposable
{
    private readonly InMemoryTransport _transport;
    private readonly VirtualRouterOptions _options;
    private readonly Func<IFloatingAddress> _address;
    private readonly FloatingAddressActionOptions _actionOptions;
    private readonly TimeSpan _actionTimeout;
    private IDisposable? _attachment;
    private CancellationTokenSource? _reading;
    private Task _reader = Task.CompletedTask;

    public ActionNode(InMemoryNetwork network, string name, IPAddress self, IPAddress peer, int priority, TimeSpan interval,
        Func<IFloatingAddress> address, FloatingAddressActionOptions? actionOptions = null, TimeSpan? actionTimeout = null)
    {
        Name = name;
        _transport = network.AddNode(self);
        _address = address;
        _actionOptions = actionOptions ?? new FloatingAddressActionOptions();
        _actionTimeout = actionTimeout ?? TimeSpan.FromSeconds(20);
        _options = new VirtualRouterOptions
        {
            Name = "haproxy-vip",
            VirtualRouterId = 47,
            Version = VrrpVersion.V3,
            Priority = priority,
            AdvertisementInterval = interval,
            UnicastSource = self,
            Peers = [new VrrpPeer(peer)],
        };
    }

    public string Name { get; }

    public InMemoryTransport Transport => _transport;

    public VrrpNode? Node { get; private set; }

    public VirtualRouter? Router { get; private set; }

    public FailoverActionPipeline? Pipeline { get; private set; }

    public FloatingAddressAction? Action { get; private set; }

    public ConcurrentQueue<FailoverPipelineNotification> Notifications { get; } = new();

    /// <summary><see cref="Stopwatch.GetTimestamp"/> at each transition to MASTER (raised on the router's thread).</summary>
    public ConcurrentQueue<long> MasterTransitions { get; } = new();

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the action finished each MASTER event.</summary>
    public ConcurrentQueue<(long Timestamp, FailoverActionCompleted Completed)> MasterCompletions { get; } = new();

    public long AdvertsSent => _transport.MessagesSent;

    public bool IsMaster => Router?.State == VrrpState.Master;

    public void Boot()
    {
        Action = new FloatingAddressAction(_address(), _actionOptions);
        Pipeline = new FailoverActionPipeline();
        Pipeline.Add(Action, _actionTimeout);
        _reading = new CancellationTokenSource();
        IAsyncEnumerable<FailoverPipelineNotification> stream = Pipeline.ReadEventsAsync(_reading.Token);
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (FailoverPipelineNotification n in stream)
                {
                    Notifications.Enqueue(n);
                    if (n is FailoverActionCompleted { Event.Kind: FailoverEventKind.Master } completed)
                    {
                        MasterCompletions.Enqueue((Stopwatch.GetTimestamp(), completed));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        Node = new VrrpNode(_transport, TimeProvider.System);
        Router = Node.AddRouter(_options);
        Router.StateChanged += (_, t) =>
        {
            if (t.NewState == VrrpState.Master)
            {
                MasterTransitions.Enqueue(Stopwatch.GetTimestamp());
            }
        };
        _attachment = Pipeline.Attach(Router);
        Node.Start();
    }

    /// <summary>The process dies: no more adverts, no BACKUP/STOP event, the action's background work ends with it.</summary>
    public async Task CrashAsync()
    {
        _attachment?.Dispose();
        _transport.Crash();
        Node?.Dispose();
        if (Action is not null)
        {
            await Action.DisposeAsync();
        }

        if (Pipeline is not null)
        {
            await Pipeline.DisposeAsync();
        }

        _reading?.Cancel();
        await _reader;
        _reading?.Dispose();
        Node = null;
        Router = null;
    }

    public void Restart()
    {
        _transport.Restart();
        Boot();
    }

    public async ValueTask DisposeAsync()
    {
        if (Node is not null)
        {
            await CrashAsync();
        }
    }

    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < timeout, $"not within {timeout}: {describe()}");
            await Task.Delay(10);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < timeout, $"not within {timeout}: {describe()}");
            await Task.Delay(20);
        }
    }

    public override string ToString() => $"{Name}: {Router?.State.ToString() ?? "down"}, {Action?.GetStatistics()}";
}
