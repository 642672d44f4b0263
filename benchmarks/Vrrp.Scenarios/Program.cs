using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vrrp.Hosting;
using Vrrp.Packets;
using Vrrp.Transports;
using Vrrp.Transports.Raw;

// The programs benchmarks/isolation/run.sh runs inside its network namespaces:
//
//   embedded --config FILE [--disturb none|starve|churn] [--trigger FILE] [--for SECONDS] [--items N] [--marks FILE] [--pool-timers] [--gc-log FILE]
//       A generic host with AddVrrp (the "Vrrp" section of FILE, raw sockets). When the trigger file appears, its own code
//       misbehaves for --for seconds: "starve" blocks --items thread-pool work items (sync-over-async), "churn" allocates
//       large arrays on two threads. The start and end of the disturbance go to --marks as epoch seconds.
//       --pool-timers runs the protocol timers on the thread pool, as before VrrpRuntime had a thread of its own.
//       --gc-log FILE appends, once a second: epoch, bytes allocated, gen0/gen1/gen2 collections, heap size.
//   flood --source A --destination B --vrid N --priority P --rate PPS|max --seconds S
//       Sends VRRPv3 adverts (100 ms, TTL 255) from A to B: at most PPS × S packets, for S seconds (PPS 0: none).
return args.Length > 0 && args[0] == "flood" ? Flood(Arguments.Parse(args[1..])) : await EmbeddedAsync(Arguments.Parse(args.Length > 0 ? args[1..] : []));

static async Task<int> EmbeddedAsync(Arguments arguments)
{
    HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration.AddJsonFile(Path.GetFullPath(arguments.Get("config")), optional: false);
    if (arguments.Has("pool-timers"))
    {
        builder.Services.AddSingleton<TimeProvider>(new PoolTimeProvider());
    }

    builder.Services.AddVrrp(builder.Configuration.GetSection(VrrpOptions.SectionName));
    using IHost host = builder.Build();
    await host.StartAsync();

    if (arguments.Has("gc-log"))
    {
        // Once a second: allocated bytes, collections per generation, heap size (what RSS growth is made of).
        string log = arguments.Get("gc-log");
        new Thread(() =>
        {
            while (true)
            {
                File.AppendAllText(log, string.Create(CultureInfo.InvariantCulture,
                    $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0:0.000} {GC.GetTotalAllocatedBytes()} {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} {GC.GetGCMemoryInfo().HeapSizeBytes}\n"));
                Thread.Sleep(1000);
            }
        }) { IsBackground = true, Name = "gc-log" }.Start();
    }

    string disturbance = arguments.Get("disturb", "none");
    if (disturbance != "none")
    {
        Disturbance.Start(disturbance, arguments.Get("trigger"), TimeSpan.FromSeconds(arguments.GetInt("for", 20)), arguments.GetInt("items", 64), arguments.Get("marks"));
    }

    await host.WaitForShutdownAsync();
    return 0;
}

static int Flood(Arguments arguments)
{
    IPAddress source = IPAddress.Parse(arguments.Get("source"));
    IPAddress destination = IPAddress.Parse(arguments.Get("destination"));
    // --rate max: as fast as this sender can (bounded by the duration).
    int rate = arguments.Get("rate", "2000") == "max" ? int.MaxValue : arguments.GetInt("rate", 2000);
    TimeSpan duration = TimeSpan.FromSeconds(arguments.GetInt("seconds", 15));
    VrrpAdvertisement advert = VrrpAdvertisement.CreateV3((byte)arguments.GetInt("vrid", 1), (byte)arguments.GetInt("priority", 50),
        TimeSpan.FromMilliseconds(100), AddressFamily.InterNetwork, [IPAddress.Parse(arguments.Get("address", "192.0.2.101"))]);
    byte[] packet = new byte[advert.MessageLength];
    VrrpCodec.TryWrite(advert, packet, source.GetAddressBytes(), destination.GetAddressBytes(), VrrpChecksumMode.PseudoHeader, out int length);

    // The library's own raw socket (IP protocol 112, bound to the source address) sends them.
    using IVrrpTransport transport = new RawSocketTransportFactory().Create(source, interfaceName: null);

    long limit = (long)(rate * duration.TotalSeconds);
    long sent = 0;
    Stopwatch clock = Stopwatch.StartNew();
    // Runs for the whole duration even at rate 0 (a baseline of the same length); paced, and the clock is read at least
    // every 4096 packets, so an unreachable rate ends on time too.
    while (clock.Elapsed < duration)
    {
        long due = Math.Min(limit, (long)(clock.Elapsed.TotalSeconds * rate));
        for (int batch = 0; sent < due && batch < 4096; batch++, sent++)
        {
            transport.Send(packet.AsSpan(0, length), source, destination, 255);
        }

        if (sent >= due)
        {
            Thread.Sleep(1);
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sent {sent} in {clock.Elapsed.TotalSeconds:0.000} s"));
    return 0;
}

/// <summary>A clock that is not <see cref="TimeProvider.System"/>: the runtime then runs the protocol timers on it as they are, on the thread pool.</summary>
internal sealed class PoolTimeProvider : TimeProvider;

/// <summary>What the host's own code does wrong, on cue.</summary>
internal static class Disturbance
{
    private static readonly List<byte[]> Retained = [];

    public static void Start(string kind, string trigger, TimeSpan duration, int items, string marks)
    {
        // A thread of its own waits for the cue, so the cue is seen even while the pool is starved.
        Thread waiter = new(() =>
        {
            while (!File.Exists(trigger))
            {
                Thread.Sleep(10);
            }

            File.AppendAllText(marks, Now() + "\n");
            if (kind == "starve")
            {
                Starve(duration, items);
            }
            else
            {
                Churn(duration);
            }

            File.AppendAllText(marks, Now() + "\n");
        }) { IsBackground = true, Name = "disturbance" };
        waiter.Start();
    }

    private static void Starve(TimeSpan duration, int items)
    {
        // Sync-over-async: each work item blocks its pool thread on a task that completes only after the duration.
        Task[] blocked = [.. Enumerable.Range(0, items).Select(_ => Task.Run(() => Task.Delay(duration).GetAwaiter().GetResult()))];
        Task.WaitAll(blocked);
    }

    private static void Churn(TimeSpan duration)
    {
        Stopwatch clock = Stopwatch.StartNew();
        Thread[] threads = [.. Enumerable.Range(0, 2).Select(seed => new Thread(() =>
        {
            Random random = new(seed);
            while (clock.Elapsed < duration)
            {
                // Large arrays (the large object heap) and a retained working set of up to 1 GiB: gen2 collections.
                byte[] buffer = new byte[random.Next(100_000, 4_000_000)];
                buffer[^1] = 1;
                lock (Retained)
                {
                    Retained.Add(buffer);
                    if (Retained.Count > 512)
                    {
                        Retained.RemoveAt(random.Next(Retained.Count));
                    }
                }
            }
        }) { IsBackground = true })];
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        lock (Retained)
        {
            Retained.Clear();
        }
    }

    private static string Now() => (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
}

/// <summary>--name value pairs and --flag switches.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values = [];

    public static Arguments Parse(string[] args)
    {
        Arguments result = new();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            bool hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            result._values[args[i][2..]] = hasValue ? args[++i] : "";
        }

        return result;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string Get(string name, string? fallback = null) =>
        _values.TryGetValue(name, out string? value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");

    public int GetInt(string name, int fallback) => _values.TryGetValue(name, out string? value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
