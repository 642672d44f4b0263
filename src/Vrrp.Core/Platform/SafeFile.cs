using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Vrrp.Platform;

/// <summary>
/// Reads and writes the files a local user may have planted something at (configuration and includes, tracked files,
/// key files) without blocking, without following a final symlink unless asked, regular files only, bounded in size.
/// The checks are made on the open descriptor, not on the name, so a file swapped between a check and the open is
/// caught. Every failure is an <see cref="IOException"/> whose message names the path and the problem.
/// </summary>
internal static partial class SafeFile
{
    private const int ORdOnly = 0x0;
    private const int OWrOnly = 0x1;
    private const int OCreat = 0x40;
    private const int OExcl = 0x80;
    private const int ONonBlock = 0x800;
    private const int ONoFollow = 0x20000;
    private const int OCloExec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const int ENOENT = 2;
    private const int EEXIST = 17;
    private const int ELOOP = 40;
    private const int ENOTDIR = 20;

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/> bytes of the regular file at <paramref name="path"/>: the open never
    /// blocks (a FIFO or device is refused, not waited on), and with <paramref name="followSymlink"/> false a symlink is
    /// refused.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="IOException">It is not a regular file, is larger than the cap, or cannot be read.</exception>
    public static byte[] ReadAllBytes(string path, int maxBytes, bool followSymlink)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsLinux())
        {
            FileInfo info = new(path);
            if (!info.Exists)
            {
                throw new FileNotFoundException($"{path}: no such file", path);
            }

            return info.Length > maxBytes ? throw new IOException(TooLarge(path, info.Length, maxBytes)) : File.ReadAllBytes(path);
        }

        using SafeFileHandle handle = Open(path, ORdOnly | ONonBlock | (followSymlink ? 0 : ONoFollow), 0);
        long size = CheckRegular(handle, path);
        if (size > maxBytes)
        {
            throw new IOException(TooLarge(path, size, maxBytes));
        }

        // Read one byte more than the cap: a file that grew since fstat is caught too.
        byte[] buffer = new byte[Math.Min(maxBytes + 1L, size + 4096)];
        int total = 0;
        int read;
        while (total < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(total), total)) > 0)
        {
            total += read;
        }

        if (total > maxBytes)
        {
            throw new IOException(TooLarge(path, total, maxBytes));
        }

        return buffer[..total];
    }

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/>: created (mode 0644) when missing, or with
    /// <paramref name="replace"/> truncated and rewritten; never through a symlink, never into anything but a regular file.
    /// </summary>
    /// <returns><see langword="false"/> when the file exists and <paramref name="replace"/> is false (nothing written).</returns>
    /// <exception cref="IOException">A symlink or something other than a regular file is there, or it cannot be written.</exception>
    public static bool Write(string path, ReadOnlySpan<byte> content, bool replace)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!OperatingSystem.IsLinux())
        {
            if (!replace && File.Exists(path))
            {
                return false;
            }

            File.WriteAllBytes(path, content.ToArray());
            return true;
        }

        SafeFileHandle handle;
        try
        {
            handle = Open(path, OWrOnly | OCreat | ONonBlock | ONoFollow | (replace ? 0 : OExcl), 0x1A4);
        }
        catch (IOException e) when (!replace && e.HResult == EEXIST)
        {
            return false;
        }

        using (handle)
        {
            CheckRegular(handle, path);
            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, content, 0);
        }

        return true;
    }

    private static SafeFileHandle Open(string path, int flags, int mode)
    {
        int fd = OpenCore(path, flags | OCloExec, mode);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                ENOENT or ENOTDIR => new FileNotFoundException($"{path}: no such file", path),
                ELOOP => new IOException($"{path}: is a symbolic link, which is not followed here"),
                _ => new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}") { HResult = errno },
            };
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static long CheckRegular(SafeFileHandle handle, string path)
    {
        Span<byte> buffer = stackalloc byte[256];
        buffer.Clear();
        if (Statx((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxType | StatxSize, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        // struct statx: stx_mode (16 bits) at 28, stx_size at 40.
        int type = BitConverter.ToUInt16(buffer[28..30]) & 0xF000;
        if (type != 0x8000)
        {
            throw new IOException($"{path}: is {Describe(type)}, not a regular file");
        }

        return BitConverter.ToInt64(buffer[40..48]);
    }

    private static string Describe(int type) => type switch
    {
        0x4000 => "a directory",
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0xC000 => "a socket",
        _ => "a special file",
    };

    private static string TooLarge(string path, long size, int maxBytes) =>
        $"{path}: is {size} bytes, more than the {maxBytes} bytes read here";

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenCore(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte buffer);
}
