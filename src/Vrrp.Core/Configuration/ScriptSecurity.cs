using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Vrrp.Actions;

namespace Vrrp.Configuration;

/// <summary>
/// keepalived's <c>enable_script_security</c> check of a script run as root: the script, resolved through PATH and
/// symlinks, and every directory above it must be owned by root and not writable by anyone else — no group write
/// unless the group is root, no world write — except that a directory with the sticky bit (<c>/tmp</c>) may be writable.
/// Otherwise a non-root user could replace what root runs. Unlike keepalived, a root-owned symlink standing for a
/// directory (<c>/bin</c> → <c>usr/bin</c>) is accepted, since the resolved path is checked too.
/// </summary>
internal static partial class ScriptSecurity
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxUid = 0x8;
    private const uint StatxGid = 0x10;
    private const int SIfMt = 0xF000;
    private const int SIfDir = 0x4000;
    private const int SIfReg = 0x8000;
    private const int SIfLnk = 0xA000;
    private const int SIsVtx = 0x200;
    private const int SIwGrp = 0x10;
    private const int SIwOth = 0x2;

    /// <summary>Checks a program run as root.</summary>
    /// <param name="program">argv[0]: a path, or a bare name looked up in PATH.</param>
    /// <param name="problem">Why it is unsafe, naming the path at fault.</param>
    /// <returns><see langword="true"/> when it is safe to run as root.</returns>
    public static bool IsSecure(string program, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(program);
        // The path checked is the one run: ChildProcess resolves the same way, never in the current directory.
        if (!ChildProcess.TryResolve(program, out string path, out problem))
        {
            return false;
        }

        if (!CheckComponents(path, out problem))
        {
            return false;
        }

        string? real = RealPath(path);
        if (real is null)
        {
            problem = $"'{path}' cannot be resolved";
            return false;
        }

        return real == path || CheckComponents(real, out problem);
    }

    private static bool CheckComponents(string path, out string? problem)
    {
        string full = Path.GetFullPath(path);
        List<string> components = ["/"];
        string current = "";
        foreach (string part in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current += "/" + part;
            components.Add(current);
        }

        for (int i = 0; i < components.Count; i++)
        {
            bool last = i == components.Count - 1;
            if (!TryStat(components[i], out int mode, out uint uid, out uint gid))
            {
                problem = $"'{components[i]}' does not exist";
                return false;
            }

            // A root-owned symlinked directory (/bin -> usr/bin on merged-/usr systems) is accepted: nobody else can
            // change it, and the resolved path is checked in full as well. (keepalived refuses it.)
            int type = mode & SIfMt;
            if ((!last && type is not (SIfDir or SIfLnk)) || (last && type is not (SIfReg or SIfLnk)))
            {
                problem = $"'{components[i]}' is not a {(last ? "file" : "directory")}";
                return false;
            }

            bool checkWrite = (type == SIfDir && (mode & SIsVtx) == 0) || type == SIfReg;
            if (uid != 0)
            {
                problem = $"'{components[i]}' is owned by uid {uid}, not root: that user could replace what root runs";
                return false;
            }

            if (checkWrite && ((gid != 0 && (mode & SIwGrp) != 0) || (mode & SIwOth) != 0))
            {
                problem = $"'{components[i]}' is writable by {((mode & SIwOth) != 0 ? "everyone" : $"group {gid}")} (mode {Convert.ToString(mode & 0xFFF, 8)}): a non-root user could replace what root runs";
                return false;
            }
        }

        problem = null;
        return true;
    }

    private static bool TryStat(string path, out int mode, out uint uid, out uint gid)
    {
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxMode | StatxUid | StatxGid, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            (mode, uid, gid) = (0, 0, 0);
            return false;
        }

        // struct statx: stx_uid at 20, stx_gid at 24, stx_mode (16 bits) at 28 on every architecture.
        uid = MemoryMarshal.Read<uint>(buffer[20..]);
        gid = MemoryMarshal.Read<uint>(buffer[24..]);
        mode = MemoryMarshal.Read<ushort>(buffer[28..]);
        return true;
    }

    private static string? RealPath(string path)
    {
        nint resolved = RealPathCore(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPathCore(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);
}

/// <summary>
/// Who runs a configuration's scripts, as keepalived decides: the script's own user, else <c>script_user</c>, else the
/// user <c>keepalived_script</c> when it exists, else this process (root). With <c>enable_script_security</c> a script
/// run as root must pass <see cref="ScriptSecurity.IsSecure"/>, and root is never the default: an error each, as
/// keepalived refuses them; without it an insecure root script is a warning.
/// </summary>
internal sealed class ScriptPolicy
{
    public const string DefaultUserName = "keepalived_script";
    private bool _reportedNoDefault;

    public ScriptPolicy(ScriptUser? scriptUser, bool security, string etc = "/etc")
    {
        Security = security;
        DefaultUser = scriptUser ?? (ScriptUser.TryResolve(DefaultUserName, null, out ScriptUser? fallback, out _, etc) ? fallback : null);
    }

    public bool Security { get; }

    /// <summary>Every warning given, with the <c>what</c> it was about (the JSON converter places them by field).</summary>
    public List<(string What, string Message)> Warnings { get; } = [];

    /// <summary>The user of scripts without their own; <see langword="null"/>: this process (root).</summary>
    public ScriptUser? DefaultUser { get; }

    /// <summary>The argv to start for <paramref name="argv"/> run as its user (wrapped in setpriv for another user), or empty after an error.</summary>
    /// <param name="argv">The script.</param>
    /// <param name="explicitUser">The script's own user, if given.</param>
    /// <param name="what">What the script is, for messages (<c>notify_master</c>, <c>vrrp_script chk</c>).</param>
    /// <param name="error">Reports an error.</param>
    /// <param name="warning">Reports a warning.</param>
    public ImmutableArray<string> Apply(ImmutableArray<string> argv, ScriptUser? explicitUser, string what, Action<string> error, Action<string> warning)
    {
        // Resolved once, here: what is checked is what runs, whatever the current directory is later.
        argv = [.. ChildProcess.Resolve(argv)];
        if (RunAs(argv, explicitUser, what, error, warning, out ScriptUser? user) is false)
        {
            return [];
        }

        return user is null ? argv : [.. user.Wrap(argv)];
    }

    /// <summary>The user <paramref name="argv"/> runs as (<see langword="null"/>: this process), after the checks; <see langword="false"/> after an error.</summary>
    public bool RunAs(ImmutableArray<string> argv, ScriptUser? explicitUser, string what, Action<string> error, Action<string> warning, out ScriptUser? user)
    {
        user = explicitUser ?? DefaultUser;
        if (argv.IsEmpty)
        {
            return true;
        }

        if (user is null && Security)
        {
            if (!_reportedNoDefault)
            {
                _reportedNoDefault = true;
                error($"{what}: with enable_script_security scripts never run as root by default, and there is no script_user and no user '{DefaultUserName}': set script_user, create the user, or give the script its user");
            }

            return false;
        }

        if (user is null || user.IsRoot)
        {
            bool exists = argv[0].Contains('/', StringComparison.Ordinal) ? File.Exists(argv[0]) : true;
            if ((Security || exists) && !ScriptSecurity.IsSecure(argv[0], out string? problem))
            {
                if (Security)
                {
                    error($"{what}: {argv[0]} would run as root, but {problem} (enable_script_security refuses it, as keepalived does)");
                    return false;
                }

                string message = $"{what}: {argv[0]} runs as root, but {problem}; keepalived calls this a security violation (give it a user, or set enable_script_security to refuse it)";
                Warnings.Add((what, message));
                warning(message);
            }
        }

        if (user is { Uid: 0, Gid: 0 })
        {
            user = null;
        }

        if (user is not null && !File.Exists(ScriptUser.Launcher))
        {
            error($"{what}: running it as {user.UserName} needs util-linux setpriv ({ScriptUser.Launcher}), which is missing");
            return false;
        }

        return true;
    }
}
