using Vrrp.Hosting;

namespace Vrrp.Tests.Hosting;

/// <summary>The state file is written through a fresh exclusive temporary file and a rename: nothing planted is followed.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StateFileWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vrrp-state-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Symlinks_planted_at_the_state_file_and_at_the_old_temporary_name_are_not_written_through()
    {
        string victim = Path.Combine(_dir, "victim");
        File.WriteAllText(victim, "precious");
        string path = Path.Combine(_dir, "keepalived.json");

        // The name the writer used to take ("{path}.{pid}.tmp", opened create-or-truncate) and the state file itself.
        File.CreateSymbolicLink($"{path}.{Environment.ProcessId}.tmp", victim);
        File.CreateSymbolicLink(path, victim);

        await using (VrrpStateFileWriter writer = new(path, () => []))
        {
            writer.Start();
            Assert.True(writer.WriteNow());
        }

        Assert.Equal("precious", File.ReadAllText(victim));
        FileInfo state = new(path);
        Assert.Null(state.LinkTarget); // the link was replaced by the rename, not followed
        Assert.StartsWith("[", File.ReadAllText(path).TrimStart(), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));

        // Nothing is left behind but the planted link (never touched).
        Assert.Equal(["keepalived.json", $"keepalived.json.{Environment.ProcessId}.tmp", "victim"],
            Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
