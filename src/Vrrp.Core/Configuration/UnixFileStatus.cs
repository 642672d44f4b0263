using System.Runtime.InteropServices;

namespace Vrrp.Configuration;

/// <summary>What a path is, without following a final symlink and without opening it (so a FIFO cannot block the caller).</summary>
internal enum UnixFileKind
{
    /// <summary>Nothing there.</summary>
    Missing,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link (not followed).</summary>
    SymbolicLink,

    /// <summary>A FIFO, socket, or character or block device.</summary>
    Special,
}

/// <summary>Linux <c>statx(2)</c> of a path (its layout is the same on every architecture), <c>AT_SYMLINK_NOFOLLOW</c>.</summary>
internal static partial class UnixFileStatus
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxSize = 0x200;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    /// <summary>The kind and size of <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The path cannot be examined (permission, I/O); the message names it.</exception>
    public static (UnixFileKind Kind, long Size) Get(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            FileInfo info = new(path);
            if (!info.Exists)
            {
                return Directory.Exists(path) ? (UnixFileKind.Directory, 0) : (UnixFileKind.Missing, 0);
            }

            return (info.LinkTarget is not null ? UnixFileKind.SymbolicLink : UnixFileKind.Regular, info.Length);
        }

        Span<byte> buffer = stackalloc byte[256];
        buffer.Clear();
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxMode | StatxSize, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
            {
                return (UnixFileKind.Missing, 0);
            }

            throw new IOException($"Cannot examine {path}: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        ushort mode = BitConverter.ToUInt16(buffer[28..30]);
        long size = BitConverter.ToInt64(buffer[40..48]);
        UnixFileKind kind = (mode & 0xF000) switch
        {
            0x8000 => UnixFileKind.Regular,
            0x4000 => UnixFileKind.Directory,
            0xA000 => UnixFileKind.SymbolicLink,
            _ => UnixFileKind.Special,
        };
        return (kind, size);
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte buffer);
}
