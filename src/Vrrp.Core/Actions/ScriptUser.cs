using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Vrrp.Actions;

/// <summary>
/// The user and group a script runs as (keepalived <c>script_user</c>, a <c>vrrp_script</c>'s <c>user</c>, a notify
/// script's trailing <c>username [groupname]</c>). .NET cannot change the user of a child process, so the script is
/// started through util-linux <c>setpriv --reuid UID --regid GID --init-groups -- argv...</c> (no shell).
/// </summary>
/// <param name="UserName">The user's name.</param>
/// <param name="Uid">The user id.</param>
/// <param name="GroupName">The group's name.</param>
/// <param name="Gid">The group id (the user's primary group unless a group was named).</param>
public sealed record ScriptUser(string UserName, int Uid, string GroupName, int Gid)
{
    /// <summary>The launcher: util-linux setpriv.</summary>
    public const string Launcher = "/usr/bin/setpriv";

    /// <summary>Whether this is root (uid 0) or root's group (gid 0): the scripts keepalived's script security checks.</summary>
    public bool IsRoot => Uid == 0 || Gid == 0;

    /// <summary>The argv that runs <paramref name="argv"/> as this user: <c>setpriv --reuid=U --regid=G --init-groups -- argv</c>
    /// (argv itself for root:root — nothing to change).</summary>
    /// <param name="argv">The script and its arguments.</param>
    public IReadOnlyList<string> Wrap(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (Uid == 0 && Gid == 0)
        {
            return argv;
        }

        return [Launcher, string.Create(CultureInfo.InvariantCulture, $"--reuid={Uid}"), string.Create(CultureInfo.InvariantCulture, $"--regid={Gid}"), "--init-groups", "--", .. argv];
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{UserName}:{GroupName} ({Uid}:{Gid})");

    /// <summary>
    /// Resolves a user and an optional group by name (or number) from <c>/etc/passwd</c> and <c>/etc/group</c>, as keepalived's
    /// <c>username [[:]groupname]</c>: without a group, the user's primary group.
    /// </summary>
    /// <param name="user">The user name or uid.</param>
    /// <param name="group">The group name or gid; a leading <c>:</c> is accepted (keepalived's supplementary-groups marker).</param>
    /// <param name="result">The user.</param>
    /// <param name="error">Why not, naming what is unknown.</param>
    /// <param name="etc">The directory holding passwd and group (default <c>/etc</c>).</param>
    public static bool TryResolve(string user, string? group, [NotNullWhen(true)] out ScriptUser? result, [NotNullWhen(false)] out string? error, string etc = "/etc")
    {
        ArgumentNullException.ThrowIfNull(user);
        result = null;
        if (group is { Length: > 0 } && group[0] == ':')
        {
            group = group.Length > 1 ? group[1..] : null;
        }

        string[]? passwd = Find(Path.Combine(etc, "passwd"), user, 2);
        if (passwd is null || !int.TryParse(passwd[2], NumberStyles.None, CultureInfo.InvariantCulture, out int uid)
            || !int.TryParse(passwd[3], NumberStyles.None, CultureInfo.InvariantCulture, out int gid))
        {
            error = $"no user '{user}' in {Path.Combine(etc, "passwd")}";
            return false;
        }

        string groupName;
        if (group is null)
        {
            groupName = Find(Path.Combine(etc, "group"), gid.ToString(CultureInfo.InvariantCulture), 2)?[0] ?? gid.ToString(CultureInfo.InvariantCulture);
        }
        else if (Find(Path.Combine(etc, "group"), group, 2) is { } entry && int.TryParse(entry[2], NumberStyles.None, CultureInfo.InvariantCulture, out int named))
        {
            groupName = entry[0];
            gid = named;
        }
        else
        {
            error = $"no group '{group}' in {Path.Combine(etc, "group")}";
            return false;
        }

        result = new ScriptUser(passwd[0], uid, groupName, gid);
        error = null;
        return true;
    }

    /// <summary>The entry of a passwd/group file whose name (or, for a number, whose id column) matches.</summary>
    private static string[]? Find(string file, string key, int idColumn)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        bool numeric = key.Length > 0 && key.All(char.IsAsciiDigit);
        foreach (string line in File.ReadLines(file))
        {
            string[] fields = line.Split(':');
            if (fields.Length > 3 && (fields[0] == key || (numeric && fields[idColumn] == key)))
            {
                return fields;
            }
        }

        return null;
    }
}
