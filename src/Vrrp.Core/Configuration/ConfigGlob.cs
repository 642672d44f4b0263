using System.Text;

namespace Vrrp.Configuration;

/// <summary>
/// The file patterns of keepalived's <c>include</c>, as glob(3) with <c>GLOB_BRACE</c> expands them: <c>{a,b}</c>
/// alternatives first, then <c>*</c>, <c>?</c> and <c>[...]</c> (with <c>!</c> or <c>^</c> to negate, and ranges) in any
/// path component, directories included. A name starting with a dot is matched only by a pattern that starts with a
/// dot, and directories are left out of the result (keepalived skips what glob marks as a directory). The matches of
/// each brace alternative are sorted (ordinal, the C locale's order) and follow each other in the alternatives' order.
/// </summary>
internal static class ConfigGlob
{
    /// <summary>The most alternatives a pattern may expand to (a guard against <c>{a,b}{a,b}...</c> explosions).</summary>
    private const int MaxAlternatives = 1024;

    /// <summary>Whether <paramref name="pattern"/> has any glob syntax (otherwise it names one file).</summary>
    public static bool IsPattern(string pattern) => pattern.AsSpan().IndexOfAny("*?[{") >= 0;

    /// <summary>The files <paramref name="pattern"/> (an absolute path pattern) matches, in keepalived's order.</summary>
    /// <exception cref="FormatException">The pattern expands to more than <see cref="MaxAlternatives"/> alternatives.</exception>
    public static List<string> Expand(string pattern)
    {
        List<string> files = [];
        foreach (string alternative in ExpandBraces(pattern))
        {
            List<string> matches = [];
            Match(alternative, matches);
            matches.Sort(StringComparer.Ordinal);
            files.AddRange(matches);
        }

        return files;
    }

    /// <summary>Brace expansion: <c>a{b,c{d,e}}f</c> → <c>abf</c>, <c>acdf</c>, <c>acef</c>. A brace without a matching close or without a top-level comma stays as it is.</summary>
    internal static List<string> ExpandBraces(string pattern)
    {
        List<string> results = [];
        Pending(pattern, results);
        return results;

        static void Pending(string text, List<string> results)
        {
            // The first brace that closes and has a top-level comma is expanded; the rest is left to the recursion.
            for (int open = 0; open < text.Length; open++)
            {
                if (text[open] == '\\')
                {
                    open++;
                    continue;
                }

                if (text[open] == '{' && Group(text, open) is { } group && group.Commas.Count > 0)
                {
                    string prefix = text[..open];
                    string suffix = text[(group.Close + 1)..];
                    int start = open + 1;
                    foreach (int end in group.Commas.Append(group.Close))
                    {
                        Pending(prefix + text[start..end] + suffix, results);
                        start = end + 1;
                    }

                    return;
                }
            }

            if (results.Count >= MaxAlternatives)
            {
                throw new FormatException($"the pattern expands to more than {MaxAlternatives} alternatives");
            }

            results.Add(text);
        }

        // The brace opened at `open`: where it closes and its top-level commas; null when it never closes.
        static (int Close, List<int> Commas)? Group(string text, int open)
        {
            List<int> commas = [];
            int depth = 0;
            for (int i = open; i < text.Length; i++)
            {
                switch (text[i])
                {
                    case '\\':
                        i++;
                        break;
                    case '{':
                        depth++;
                        break;
                    case '}' when --depth == 0:
                        return (i, commas);
                    case ',' when depth == 1:
                        commas.Add(i);
                        break;
                }
            }

            return null;
        }
    }

    /// <summary>Matches one brace-free absolute pattern component by component.</summary>
    private static void Match(string pattern, List<string> matches)
    {
        string[] components = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        List<string> current = [Path.IsPathRooted(pattern) ? "/" : "."];
        for (int c = 0; c < components.Length; c++)
        {
            string component = components[c];
            bool last = c == components.Length - 1;
            List<string> next = [];
            foreach (string directory in current)
            {
                if (component.AsSpan().IndexOfAny("*?[") < 0)
                {
                    string literal = Unescape(component);
                    string path = Path.Combine(directory, literal);
                    if (last ? File.Exists(path) : Directory.Exists(path))
                    {
                        next.Add(path);
                    }

                    continue;
                }

                if (!Directory.Exists(directory))
                {
                    continue;
                }

                IEnumerable<string> entries;
                try
                {
                    entries = last ? Directory.EnumerateFiles(directory) : Directory.EnumerateDirectories(directory);
                    foreach (string entry in entries)
                    {
                        string name = Path.GetFileName(entry);
                        if (name.StartsWith('.') && !component.StartsWith('.'))
                        {
                            continue;
                        }

                        if (NameMatches(component, name))
                        {
                            next.Add(entry);
                        }
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // glob(3) without GLOB_ERR skips a directory it cannot read; so does keepalived.
                }
            }

            current = next;
            if (current.Count == 0)
            {
                return;
            }
        }

        matches.AddRange(current);
    }

    /// <summary>fnmatch(3) of one component: <c>*</c>, <c>?</c>, <c>[...]</c> (<c>!</c>/<c>^</c>, ranges, <c>]</c> first), <c>\</c> escapes.</summary>
    internal static bool NameMatches(string pattern, string name) => NameMatches(pattern.AsSpan(), name.AsSpan());

    private static bool NameMatches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        int p = 0;
        int n = 0;
        int starP = -1;
        int starN = -1;
        while (n < name.Length)
        {
            if (p < pattern.Length)
            {
                char c = pattern[p];
                if (c == '*')
                {
                    starP = ++p;
                    starN = n;
                    continue;
                }

                if (c == '?')
                {
                    p++;
                    n++;
                    continue;
                }

                if (c == '[' && ClassMatch(pattern, p, name[n]) is { } classEnd)
                {
                    if (classEnd.Matched)
                    {
                        p = classEnd.Next;
                        n++;
                        continue;
                    }
                }
                else
                {
                    if (c == '\\' && p + 1 < pattern.Length)
                    {
                        p++;
                        c = pattern[p];
                    }

                    if (c == name[n])
                    {
                        p++;
                        n++;
                        continue;
                    }
                }
            }

            if (starP < 0)
            {
                return false;
            }

            // Backtrack: let the last '*' take one more character.
            p = starP;
            n = ++starN;
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>A bracket expression at <paramref name="open"/>: whether it matches <paramref name="c"/> and where it ends; null when it is not closed (then '[' is a plain character).</summary>
    private static (bool Matched, int Next)? ClassMatch(ReadOnlySpan<char> pattern, int open, char c)
    {
        int i = open + 1;
        bool negate = i < pattern.Length && pattern[i] is '!' or '^';
        if (negate)
        {
            i++;
        }

        bool matched = false;
        bool first = true;
        while (i < pattern.Length && (pattern[i] != ']' || first))
        {
            first = false;
            char low = pattern[i];
            if (low == '\\' && i + 1 < pattern.Length)
            {
                low = pattern[++i];
            }

            char high = low;
            if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
            {
                high = pattern[i + 2];
                if (high == '\\' && i + 3 < pattern.Length)
                {
                    high = pattern[i + 3];
                    i++;
                }

                i += 2;
            }

            if (c >= low && c <= high)
            {
                matched = true;
            }

            i++;
        }

        if (i >= pattern.Length)
        {
            return null;
        }

        return (matched != negate, i + 1);
    }

    private static string Unescape(string component)
    {
        if (!component.Contains('\\', StringComparison.Ordinal))
        {
            return component;
        }

        StringBuilder text = new(component.Length);
        for (int i = 0; i < component.Length; i++)
        {
            if (component[i] == '\\' && i + 1 < component.Length)
            {
                i++;
            }

            text.Append(component[i]);
        }

        return text.ToString();
    }
}
