using Vrrp.Tracking;

namespace Vrrp.Tests.Tracking;

public sealed class InterfaceTrackerTests : IDisposable
{
    private readonly TempDirectory _sysfs = new();

    public InterfaceTrackerTests()
    {
        AddInterface("eth0", "up\n", "0x1003\n");
        AddInterface("eth1", "down\n", "0x1002\n");
        AddInterface("lo", "unknown\n", "0x9\n");
        AddInterface("tun0", "unknown\n", "0x1090\n");
        AddInterface("br0", "lowerlayerdown\n", "0x1003\n");
    }

    public void Dispose() => _sysfs.Dispose();

    [Theory]
    [InlineData("eth0", true, "operstate up")]
    [InlineData("eth1", false, "operstate down")]
    [InlineData("lo", true, "unknown, administratively up")]
    [InlineData("tun0", false, "administratively down")]
    [InlineData("br0", false, "operstate lowerlayerdown")]
    [InlineData("eth9", false, "eth9 not found")]
    public async Task ReadsOperstateFromSysfs(string name, bool success, string reason)
    {
        InterfaceTracker tracker = new(new InterfaceTrackerOptions { Name = "if", InterfaceName = name, SysfsPath = _sysfs.Path });
        TrackerResult result = await tracker.CheckAsync(CancellationToken.None);
        Assert.Equal(success, result.Success);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../etc")]
    [InlineData("a-very-long-interface")]
    public void BadInterfaceNamesAreRejected(string name) =>
        Assert.Equal("InterfaceName", Assert.Throws<ArgumentException>(() => new InterfaceTracker(new InterfaceTrackerOptions { Name = "if", InterfaceName = name })).ParamName);

    private void AddInterface(string name, string operstate, string flags)
    {
        string dir = _sysfs.File(name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "operstate"), operstate);
        File.WriteAllText(Path.Combine(dir, "flags"), flags);
    }
}

public sealed class FileTrackerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("0\n", true, 0L)]
    [InlineData(" 0 ", true, 0L)]
    [InlineData("5\n", false, 5L)]
    [InlineData("-3\nignored", false, -3L)]
    [InlineData("abc", false, null)]
    [InlineData("", false, null)]
    public async Task ZeroIsOkAnyOtherValueFails(string contents, bool success, long? value)
    {
        string path = _dir.File("state");
        await File.WriteAllTextAsync(path, contents);
        FileTracker tracker = new(new FileTrackerOptions { Name = "f", Path = path });
        TrackerResult result = await tracker.CheckAsync(CancellationToken.None);
        Assert.Equal(success, result.Success);
        Assert.Equal(value, result.Value);
        Assert.Equal(value, tracker.LastValue);
    }

    [Fact]
    public async Task MissingFileFails()
    {
        TrackerResult result = await new FileTracker(new FileTrackerOptions { Name = "f", Path = _dir.File("missing") }).CheckAsync(CancellationToken.None);
        Assert.False(result.Success);
        Assert.Contains("not found", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitFileCreatesOrOverwrites()
    {
        string created = _dir.File("created");
        Assert.True((await new FileTracker(new FileTrackerOptions { Name = "f", Path = created, InitialValue = 0 }).CheckAsync(CancellationToken.None)).Success);
        Assert.Equal("0\n", await File.ReadAllTextAsync(created));

        string existing = _dir.File("existing");
        await File.WriteAllTextAsync(existing, "7\n");
        Assert.Equal(7, (await new FileTracker(new FileTrackerOptions { Name = "f", Path = existing, InitialValue = 0 }).CheckAsync(CancellationToken.None)).Value);
        Assert.Equal(0, (await new FileTracker(new FileTrackerOptions { Name = "f", Path = existing, InitialValue = 0, OverwriteInitialValue = true }).CheckAsync(CancellationToken.None)).Value);
    }

    [Fact]
    public async Task A_fifo_at_the_path_fails_the_check_at_once_instead_of_freezing_the_tracker()
    {
        string fifo = _dir.File("fifo");
        Assert.Equal(0, Vrrp.Actions.FifoInterop.MkFifo(fifo, 0b110_000_000));

        // No writer ever opens it: a blocking open would never return (and then hold up shutdown).
        TrackerResult result = await new FileTracker(new FileTrackerOptions { Name = "f", Path = fifo }).CheckAsync(CancellationToken.None);

        Assert.False(result.Success);
        Assert.Equal($"{fifo}: is a FIFO, not a regular file", result.Reason);
    }

    [Fact]
    public async Task A_symlink_is_neither_read_nor_written_through()
    {
        string victim = _dir.File("victim");
        await File.WriteAllTextAsync(victim, "0\nroot-only secret\n");
        string link = _dir.File("link");
        File.CreateSymbolicLink(link, victim);

        // init_file with overwrite, as root would run it: the link's target must not be truncated.
        TrackerResult result = await new FileTracker(new FileTrackerOptions { Name = "f", Path = link, InitialValue = 5, OverwriteInitialValue = true })
            .CheckAsync(CancellationToken.None);

        Assert.Equal("0\nroot-only secret\n", await File.ReadAllTextAsync(victim));
        Assert.False(result.Success);
        Assert.Equal($"{link}: is a symbolic link, which is not followed here", result.Reason);
    }

    [Fact]
    public async Task A_huge_file_is_refused_and_content_never_reaches_the_reason()
    {
        string big = _dir.File("big");
        await File.WriteAllTextAsync(big, new string('x', 5000));
        TrackerResult tooLarge = await new FileTracker(new FileTrackerOptions { Name = "f", Path = big }).CheckAsync(CancellationToken.None);
        Assert.Equal($"{big}: is 5000 bytes, more than the 4096 bytes read here", tooLarge.Reason);

        string secret = _dir.File("secret");
        await File.WriteAllTextAsync(secret, "password=hunter2\n");
        TrackerResult notNumber = await new FileTracker(new FileTrackerOptions { Name = "f", Path = secret }).CheckAsync(CancellationToken.None);
        Assert.Equal($"{secret}: the first line is not an integer (16 characters)", notNumber.Reason);
        Assert.DoesNotContain("hunter2", notNumber.Reason, StringComparison.Ordinal);
    }
}

public class TrackerOptionsTests
{
    [Fact]
    public void DefaultsEqualKeepalived()
    {
        TrackerOptions options = new ScriptTrackerOptions();
        Assert.Equal(TimeSpan.FromSeconds(1), options.Interval);
        Assert.Null(options.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(1), options.EffectiveTimeout);
        options.Interval = TimeSpan.FromSeconds(2);
        Assert.Equal(TimeSpan.FromSeconds(2), options.EffectiveTimeout);
        Assert.Equal(1, new ProcessTrackerOptions().Quorum);
        Assert.Equal("/sys/class/net", new InterfaceTrackerOptions().SysfsPath);
    }

    public static TheoryData<TrackerOptions, string> BadOptions => new()
    {
        { new TrackerOptions { Name = "" }, "Name" },
        { new TrackerOptions { Name = "x", Interval = TimeSpan.Zero }, "Interval" },
        { new TrackerOptions { Name = "x", Interval = TimeSpan.FromSeconds(-1) }, "Interval" },
        { new TrackerOptions { Name = "x", Timeout = TimeSpan.Zero }, "Timeout" },
        { new TrackerOptions { Name = "x", Timeout = TimeSpan.FromDays(2) }, "Timeout" },
        { new FileTrackerOptions { Name = "x" }, "Path" },
        { new FileTrackerOptions { Name = "x", Path = "/tmp/f", OverwriteInitialValue = true }, "OverwriteInitialValue" },
        { new TcpTrackerOptions { Name = "x", Port = 80 }, "Host" },
        { new TcpTrackerOptions { Name = "x", Host = "127.0.0.1", Port = 0 }, "Port" },
        { new HttpTrackerOptions { Name = "x" }, "Url" },
        { new HttpTrackerOptions { Name = "x", Url = new Uri("ftp://127.0.0.1/") }, "Url" },
        { new HttpTrackerOptions { Name = "x", Url = new Uri("http://127.0.0.1/"), ExpectedStatusCodes = [99] }, "ExpectedStatusCodes[0]" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void ValidationNamesTheBadField(TrackerOptions options, string field)
    {
        Assert.Equal(field, Assert.Throws<ArgumentException>(options.ThrowIfInvalid).ParamName);
        Assert.StartsWith(field + ":", options.Validate()[0], StringComparison.Ordinal);
    }

    [Fact]
    public void FactoryBuildsEachKind()
    {
        Assert.IsType<ScriptTracker>(TrackerFactory.Create(new ScriptTrackerOptions { Name = "a", CommandLine = "killall -0 haproxy" }));
        Assert.IsType<ProcessTracker>(TrackerFactory.Create(new ProcessTrackerOptions { Name = "a", ProcessName = "haproxy" }));
        Assert.IsType<InterfaceTracker>(TrackerFactory.Create(new InterfaceTrackerOptions { Name = "a", InterfaceName = "eth0" }));
        Assert.IsType<FileTracker>(TrackerFactory.Create(new FileTrackerOptions { Name = "a", Path = "/tmp/x" }));
        Assert.IsType<TcpTracker>(TrackerFactory.Create(new TcpTrackerOptions { Name = "a", Host = "127.0.0.1", Port = 1 }));
        using HttpTracker http = Assert.IsType<HttpTracker>(TrackerFactory.Create(new HttpTrackerOptions { Name = "a", Url = new Uri("http://127.0.0.1/") }));
        Assert.Throws<ArgumentException>(() => TrackerFactory.Create(new TrackerOptions { Name = "a" }));
    }
}
