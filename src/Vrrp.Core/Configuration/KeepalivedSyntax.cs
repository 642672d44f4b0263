using System.Collections.Immutable;
using System.Text;

namespace Vrrp.Configuration;

/// <summary>A place in a configuration file: file name, 1-based line and column.</summary>
public readonly record struct ConfigLocation(string File, int Line, int Column)
{
    /// <summary><c>file:line:column</c>, as compilers print it.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>One word of a keepalived.conf statement, with where it stands.</summary>
public readonly record struct ConfigWord(string Text, ConfigLocation Location)
{
    /// <inheritdoc/>
    public override string ToString() => Text;
}

/// <summary>
/// One statement of a keepalived.conf file: a keyword, its arguments on the same line, and for a block
/// (<c>keyword args {</c> … <c>}</c>) the statements inside.
/// </summary>
public sealed class ConfigStatement
{
    internal ConfigStatement(ConfigWord keyword, ImmutableArray<ConfigWord> arguments, ImmutableArray<ConfigStatement>? children)
    {
        Keyword = keyword;
        Arguments = arguments;
        Children = children ?? [];
        IsBlock = children is not null;
    }

    /// <summary>The first word.</summary>
    public ConfigWord Keyword { get; }

    /// <summary>The words after the keyword on its line (before any <c>{</c>).</summary>
    public ImmutableArray<ConfigWord> Arguments { get; }

    /// <summary>Whether the statement opened a block.</summary>
    public bool IsBlock { get; }

    /// <summary>The statements inside the block; empty for a plain statement.</summary>
    public ImmutableArray<ConfigStatement> Children { get; }

    /// <summary>Where the keyword stands.</summary>
    public ConfigLocation Location => Keyword.Location;

    /// <inheritdoc/>
    public override string ToString() => $"{Keyword.Text} {string.Join(' ', Arguments)}{(IsBlock ? " { … }" : "")}";
}

/// <summary>A syntax error in a configuration file, with its exact position.</summary>
public sealed class ConfigSyntaxException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public ConfigSyntaxException(ConfigLocation location, string problem)
        : base($"{location}: {problem}")
    {
        Location = location;
        Problem = problem;
    }

    /// <summary>Where the problem is.</summary>
    public ConfigLocation Location { get; }

    /// <summary>What the problem is, without the position.</summary>
    public string Problem { get; }
}

/// <summary>
/// Reads keepalived.conf syntax (keepalived.conf(5)): words separated by blanks, <c>#</c> and <c>!</c> comments,
/// double-quoted strings, <c>{</c> / <c>}</c> blocks, and <c>include PATTERN</c> (glob(3) with braces, relative to the including
/// file) anywhere. It knows no keywords: meaning is given by the importer.
/// </summary>
public static class KeepalivedSyntax
{
    private const int MaxIncludeDepth = 8;

    /// <summary>Parses text (already read) as the file named <paramref name="fileName"/>.</summary>
    /// <param name="text">The configuration text.</param>
    /// <param name="fileName">Used in locations and to resolve relative includes.</param>
    /// <param name="readFile">Reads an included file; defaults to the file system.</param>
    /// <exception cref="ConfigSyntaxException">Unbalanced braces, an unterminated quote, or a bad include.</exception>
    public static ImmutableArray<ConfigStatement> Parse(string text, string fileName = "keepalived.conf", Func<string, string>? readFile = null) =>
        Parse(text, fileName, readFile, warnings: null);

    /// <summary>Reads and parses a file.</summary>
    public static ImmutableArray<ConfigStatement> ParseFile(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>As <see cref="Parse(string, string, Func{string, string}?)"/>; an include pattern that matches no file is added to <paramref name="warnings"/>.</summary>
    internal static ImmutableArray<ConfigStatement> Parse(string text, string fileName, Func<string, string>? readFile, ICollection<ConfigDiagnostic>? warnings)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<Line> lines = [];
        Expand(text, fileName, new Reader(readFile ?? File.ReadAllText, warnings), lines, depth: 0);
        int index = 0;
        ImmutableArray<ConfigStatement> statements = ParseBlock(lines, ref index, opener: null);
        return statements;
    }

    private sealed record Reader(Func<string, string> ReadFile, ICollection<ConfigDiagnostic>? Warnings);

    private readonly record struct Line(List<ConfigWord> Words);

    private static ImmutableArray<ConfigStatement> ParseBlock(List<Line> lines, ref int index, ConfigWord? opener)
    {
        var statements = ImmutableArray.CreateBuilder<ConfigStatement>();
        while (index < lines.Count)
        {
            List<ConfigWord> words = lines[index].Words;
            index++;
            int start = 0;
            while (start < words.Count)
            {
                ConfigWord first = words[start];
                if (first.Text == "}")
                {
                    if (opener is null)
                    {
                        throw new ConfigSyntaxException(first.Location, "'}' without a matching '{'");
                    }

                    if (start + 1 < words.Count)
                    {
                        // Text after a closing brace on the same line: keepalived allows it; treat it as a new line.
                        lines.Insert(index, new Line(words.GetRange(start + 1, words.Count - start - 1)));
                    }

                    return statements.ToImmutable();
                }

                if (first.Text == "{")
                {
                    throw new ConfigSyntaxException(first.Location, "'{' must follow a keyword");
                }

                // A statement: keyword and arguments up to '{', '}' or the end of the line.
                int end = start + 1;
                while (end < words.Count && words[end].Text is not ("{" or "}"))
                {
                    end++;
                }

                ImmutableArray<ConfigWord> arguments = [.. words.GetRange(start + 1, end - start - 1)];
                bool opensBlock = end < words.Count && words[end].Text == "{";
                if (!opensBlock && end == words.Count && index < lines.Count && lines[index].Words.Count > 0 && lines[index].Words[0].Text == "{")
                {
                    // "keyword args" then "{" on the next line.
                    List<ConfigWord> next = lines[index].Words;
                    index++;
                    if (next.Count > 1)
                    {
                        lines.Insert(index, new Line(next.GetRange(1, next.Count - 1)));
                    }

                    opensBlock = true;
                    end = words.Count;
                }
                else if (opensBlock)
                {
                    end++;
                    if (end < words.Count)
                    {
                        lines.Insert(index, new Line(words.GetRange(end, words.Count - end)));
                    }

                    end = words.Count;
                }

                if (opensBlock)
                {
                    ImmutableArray<ConfigStatement> children = ParseBlock(lines, ref index, first);
                    statements.Add(new ConfigStatement(first, arguments, children));
                }
                else
                {
                    statements.Add(new ConfigStatement(first, arguments, null));
                }

                start = end;
            }
        }

        if (opener is { } open)
        {
            throw new ConfigSyntaxException(open.Location, $"the block '{open.Text}' opened here is never closed (missing '}}')");
        }

        return statements.ToImmutable();
    }

    private static void Expand(string text, string fileName, Reader reader, List<Line> lines, int depth)
    {
        string[] rawLines = text.Split('\n');
        for (int i = 0; i < rawLines.Length; i++)
        {
            List<ConfigWord> words = Tokenize(rawLines[i].TrimEnd('\r'), fileName, i + 1);
            if (words.Count > 0 && words[0].Text == "include")
            {
                Include(words, fileName, reader, lines, depth);
                continue;
            }

            if (words.Count > 0)
            {
                lines.Add(new Line(words));
            }
        }
    }

    private static void Include(List<ConfigWord> words, string fileName, Reader reader, List<Line> lines, int depth)
    {
        ConfigWord include = words[0];
        if (words.Count != 2)
        {
            throw new ConfigSyntaxException(include.Location, "include takes exactly one file name or pattern");
        }

        if (depth >= MaxIncludeDepth)
        {
            throw new ConfigSyntaxException(include.Location, $"includes nest deeper than {MaxIncludeDepth} (a loop?)");
        }

        // Relative to the including file's directory (keepalived changes into it while it reads the file).
        string pattern = words[1].Text;
        string baseDirectory = Path.GetDirectoryName(Path.GetFullPath(fileName)) ?? ".";
        string full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(baseDirectory, pattern);
        List<string> matches;
        if (ConfigGlob.IsPattern(full))
        {
            try
            {
                matches = ConfigGlob.Expand(full);
            }
            catch (FormatException e)
            {
                throw new ConfigSyntaxException(words[1].Location, $"include '{pattern}': {e.Message}");
            }

            if (matches.Count == 0)
            {
                // keepalived logs "No config files matched" and goes on; an empty conf.d is normal, but say so.
                reader.Warnings?.Add(new ConfigDiagnostic(words[1].Location, $"include '{pattern}' matches no file"));
            }
        }
        else
        {
            // One named file: a missing one is an error (keepalived would go on without it, and fail over differently).
            matches = [full];
        }

        foreach (string match in matches)
        {
            string content;
            try
            {
                content = reader.ReadFile(match);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigSyntaxException(words[1].Location, $"cannot read included file '{match}': {e.Message}");
            }

            Expand(content, match, reader, lines, depth + 1);
        }
    }

    private static List<ConfigWord> Tokenize(string line, string fileName, int lineNumber)
    {
        List<ConfigWord> words = [];
        int i = 0;
        while (i < line.Length)
        {
            char c = line[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c is '#' or '!')
            {
                break;
            }

            ConfigLocation location = new(fileName, lineNumber, i + 1);
            if (c is '{' or '}')
            {
                words.Add(new ConfigWord(c.ToString(), location));
                i++;
                continue;
            }

            if (c == '"')
            {
                int close = line.IndexOf('"', i + 1);
                if (close < 0)
                {
                    throw new ConfigSyntaxException(location, "unterminated quoted string (missing '\"')");
                }

                words.Add(new ConfigWord(line[(i + 1)..close], location));
                i = close + 1;
                continue;
            }

            StringBuilder word = new();
            while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] is not ('{' or '}' or '"'))
            {
                word.Append(line[i]);
                i++;
            }

            words.Add(new ConfigWord(word.ToString(), location));
        }

        return words;
    }
}
