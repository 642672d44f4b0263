using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace Vrrp.Aws.Tests.Infrastructure;

/// <summary>What the in-memory EC2 does with one call.</summary>
public enum InMemoryFault
{
    None,
    Throttle,
    Slow,
}

/// <summary>
/// An in-memory IAmazonEC2 for property tests: a DispatchProxy implementing only DescribeAddresses and AssociateAddress
/// over a one-line state model (allocation → interface), with scripted throttling and delays. A change is applied when
/// the call arrives; a slow call only delays its answer.
/// </summary>
public class InMemoryEc2 : DispatchProxy
{
    private readonly ConcurrentQueue<InMemoryFault> _faults = new();
    private readonly object _lock = new();
    private string? _holder;
    private int _associates;
    private int _describes;

    public string AllocationId { get; private set; } = "eipalloc-0mem";

    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromMilliseconds(30);

    public string? Holder
    {
        get { lock (_lock) { return _holder; } }
        set { lock (_lock) { _holder = value; } }
    }

    public int Associates => Volatile.Read(ref _associates);

    public int Describes => Volatile.Read(ref _describes);

    public static (IAmazonEC2 Client, InMemoryEc2 Fake) Create()
    {
        IAmazonEC2 proxy = Create<IAmazonEC2, InMemoryEc2>();
        return (proxy, (InMemoryEc2)(object)proxy);
    }

    public void Enqueue(IEnumerable<InMemoryFault> faults)
    {
        foreach (InMemoryFault fault in faults)
        {
            _faults.Enqueue(fault);
        }
    }

    public void ClearFaults() => _faults.Clear();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var ct = args?.OfType<CancellationToken>().FirstOrDefault() ?? CancellationToken.None;
        InMemoryFault fault = _faults.TryDequeue(out InMemoryFault f) ? f : InMemoryFault.None;
        switch (targetMethod?.Name)
        {
            case nameof(IAmazonEC2.DescribeAddressesAsync):
                Interlocked.Increment(ref _describes);
                return Answer(fault, ct, () => new DescribeAddressesResponse
                {
                    Addresses = [new Address { AllocationId = AllocationId, PublicIp = "198.51.100.9", NetworkInterfaceId = Holder }],
                });

            case nameof(IAmazonEC2.AssociateAddressAsync):
                return Answer(fault, ct, () =>
                {
                    var request = (AssociateAddressRequest)args![0]!;
                    Assert.True(request.AllowReassociation);
                    Interlocked.Increment(ref _associates);
                    Holder = request.NetworkInterfaceId;
                    return new AssociateAddressResponse { AssociationId = "eipassoc-1" };
                });

            case nameof(IDisposable.Dispose):
                return null;

            default:
                throw new NotSupportedException($"InMemoryEc2 does not model {targetMethod?.Name}");
        }
    }

    private async Task<T> Answer<T>(InMemoryFault fault, CancellationToken ct, Func<T> apply)
    {
        if (fault == InMemoryFault.Throttle)
        {
            await Task.Yield();
            throw new AmazonEC2Exception("Request limit exceeded.", ErrorType.Sender, "RequestLimitExceeded", "r", HttpStatusCode.ServiceUnavailable);
        }

        T result = apply();
        if (fault == InMemoryFault.Slow)
        {
            await Task.Delay(SlowDelay, ct);
        }

        return result;
    }
}
