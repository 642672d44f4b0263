using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vrrp.Aws.Tests.Infrastructure;

namespace Vrrp.Aws.Tests.Addresses;

/// <summary>Properties of the Elastic IP mover over an in-memory EC2 with injected throttling and delays.</summary>
public class FailoverProperties
{
    private static AwsFailoverOptions Budget => new()
    {
        Deadline = TimeSpan.FromMilliseconds(250),
        InitialBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(8),
        MaxAttempts = 6,
    };

    private static ElasticIpAddress Node(Amazon.EC2.IAmazonEC2 ec2, InMemoryEc2 fake, int index, int seed) =>
        new(ec2, new ElasticIpOptions { AllocationId = fake.AllocationId, NetworkInterfaceId = $"eni-{index}", VerifyPollInterval = TimeSpan.FromMilliseconds(5) }, Budget, random: new Random(seed));

    [Property(MaxTest = 60)]
    public async Task<bool> Repeating_ensure_is_harmless(PositiveInt repeatsRaw, int initialRaw)
    {
        int repeats = 1 + (repeatsRaw.Get % 6);
        (var ec2, InMemoryEc2 fake) = InMemoryEc2.Create();
        fake.Holder = (Math.Abs(initialRaw) % 3) switch { 0 => null, 1 => "eni-0", _ => "eni-9" };
        bool initiallyOurs = fake.Holder == "eni-0";
        ElasticIpAddress node = Node(ec2, fake, 0, initialRaw);

        var outcomes = new List<FloatingAddressOutcome>();
        for (int i = 0; i < repeats; i++)
        {
            outcomes.Add((await node.EnsureHeldAsync(CancellationToken.None)).Outcome);
        }

        FloatingAddressOutcome firstExpected = initiallyOurs ? FloatingAddressOutcome.AlreadyHeld : FloatingAddressOutcome.Moved;
        return fake.Holder == "eni-0"
            && fake.Associates == (initiallyOurs ? 0 : 1)
            && outcomes[0] == firstExpected
            && outcomes.Skip(1).All(o => o == FloatingAddressOutcome.AlreadyHeld);
    }

    [Property(MaxTest = 40)]
    public async Task<bool> Address_ends_on_the_last_master_once_the_api_answers_again(PositiveInt nodeCountRaw, int[] script, int seed)
    {
        int nodeCount = 2 + (nodeCountRaw.Get % 2);
        (var ec2, InMemoryEc2 fake) = InMemoryEc2.Create();
        ElasticIpAddress[] nodes = [.. Enumerable.Range(0, nodeCount).Select(i => Node(ec2, fake, i, seed + i))];
        int last = 0;
        foreach (int step in script.Take(8))
        {
            last = Math.Abs(step % nodeCount);
            int faultCode = Math.Abs(step / nodeCount);
            InMemoryFault[] faults = [.. Enumerable.Range(0, faultCode % 5).Select(i => (InMemoryFault)((faultCode >> (i + 3)) % 3))];
            fake.Enqueue(faults);
            FloatingAddressResult result = await nodes[last].EnsureHeldAsync(CancellationToken.None);
            if (result.Succeeded && fake.Holder != $"eni-{last}")
            {
                return false; // a success must be true at the moment it is reported
            }
        }

        fake.ClearFaults();
        FloatingAddressResult final = await nodes[last].EnsureHeldAsync(CancellationToken.None);
        return final.Succeeded && fake.Holder == $"eni-{last}";
    }

    [Fact]
    public async Task Throttling_then_success_counts_attempts()
    {
        (var ec2, InMemoryEc2 fake) = InMemoryEc2.Create();
        fake.Holder = "eni-9";
        fake.Enqueue([InMemoryFault.Throttle, InMemoryFault.Throttle]);

        FloatingAddressResult result = await Node(ec2, fake, 0, 1).EnsureHeldAsync(CancellationToken.None);

        Assert.Equal(FloatingAddressOutcome.Moved, result.Outcome);
        Assert.Equal(3, result.Attempts);
        Assert.Contains("RequestLimitExceeded", result.Reason, StringComparison.Ordinal);
    }
    /// <summary>
    /// The action over the in-memory EC2: any sequence of "node X becomes MASTER" (the previous MASTER told BACKUP
    /// first, as VRRP does) across two or three nodes, with throttling and delays injected; failed attempts are reported
    /// and retried in the background. Once the API answers again, the address ends on the last MASTER and only it
    /// still counts itself MASTER.
    /// </summary>
    [Property(MaxTest = 30)]
    public async Task<bool> Actions_leave_the_address_on_the_last_master_once_the_api_answers_again(PositiveInt nodeCountRaw, int[] script, int seed)
    {
        int nodeCount = 2 + (nodeCountRaw.Get % 2);
        (var ec2, InMemoryEc2 fake) = InMemoryEc2.Create();
        var retry = new Vrrp.Aws.FloatingAddressActionOptions { RetryInitialBackoff = TimeSpan.FromMilliseconds(5), RetryMaxBackoff = TimeSpan.FromMilliseconds(20) };
        FloatingAddressAction[] actions = [.. Enumerable.Range(0, nodeCount).Select(i => new FloatingAddressAction(Node(ec2, fake, i, seed + i), retry, random: new Random(seed + i)))];
        try
        {
            int? master = null;
            long sequence = 0;
            foreach (int step in script.Take(8))
            {
                int next = Math.Abs(step % nodeCount);
                int faultCode = Math.Abs(step / nodeCount);
                fake.Enqueue([.. Enumerable.Range(0, faultCode % 7).Select(i => (InMemoryFault)((faultCode >> (i + 3)) % 3))]);
                if (master is { } previous && previous != next)
                {
                    await actions[previous].OnEventAsync(Vrrp.Aws.Tests.Actions.FloatingAddressActionTests.Event(Vrrp.Actions.FailoverEventKind.Backup, ++sequence), CancellationToken.None);
                }

                master = next;
                try
                {
                    await actions[next].OnEventAsync(Vrrp.Aws.Tests.Actions.FloatingAddressActionTests.Event(Vrrp.Actions.FailoverEventKind.Master, ++sequence), CancellationToken.None);
                }
                catch (FloatingAddressException)
                {
                    // reported to the pipeline; the background loop retries
                }
            }

            fake.ClearFaults();
            int last = master ?? 0;
            if (master is null)
            {
                await actions[0].OnEventAsync(Vrrp.Aws.Tests.Actions.FloatingAddressActionTests.Event(Vrrp.Actions.FailoverEventKind.Master, ++sequence), CancellationToken.None);
            }

            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (!(fake.Holder == $"eni-{last}" && !actions[last].GetStatistics().RetryPending))
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(10))
                {
                    return false;
                }

                await Task.Delay(5);
            }

            await Task.Delay(30); // nobody else moves it afterwards
            return fake.Holder == $"eni-{last}" && actions.Select((a, i) => a.IsMaster == (i == last)).All(ok => ok);
        }
        finally
        {
            foreach (FloatingAddressAction action in actions)
            {
                await action.DisposeAsync();
            }
        }
    }
}
