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
    /// <summary>The most bytes a configuration file (or an included one) may have.</summary>
    internal const int MaxFileBytes = 4 * 1024 * 1024;

    /// <summary>The deepest blocks may nest (keepalived's own go 4 deep).</summary>
    internal const int MaxNesting = 32;

    private const int MaxIncludeDepth = 8;

    /// <summary>Parses text (already read) as the file named <paramref name="fileName"/>.</summary>
    /// <param name="text">The configuration text.</param>
    /// <param name="fileName">Used in locations and to resolve relative includes.</param>
    /// <param name="readFile">Reads an included file; defaults to the file system.</param>
    /// <exception cref="ConfigSyntaxException">Unbalanced braces, an unterminated quote, or a bad include.</exception>
    public static ImmutableArray<ConfigStatement> Parse(string text, string fileName = "keepalived.conf", Func<string, string>? readFile = null) =>
        Parse(text, fileName, readFile, warnings: null);

    /// <summary>Reads and parses a file.</summary>
    public static ImmutableArray<ConfigStatement> ParseFile(string path) => Parse(ReadFile(path), path);

    /// <summary>
    /// Reads a configuration file as the importer reads every file and include: a regular file (a FIFO or device is
    /// refused without waiting on it), at most 4 MiB, as UTF-8.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file.</exception>
    /// <exception cref="IOException">It is not a regular file, is too large, or cannot be read; the message names it.</exception>
    public static string ReadFile(string path) =>
        new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(Platform.SafeFile.ReadAllBytes(path, MaxFileBytes, followSymlink: true));

    /// <summary>As <see cref="Parse(string, string, Func{string, string}?)"/>; an include pattern that matches no file is added to <paramref name="warnings"/>.</summary>
    internal static ImmutableArray<ConfigStatement> Parse(string text, string fileName, Func<string, string>? readFile, ICollection<ConfigDiagnostic>? warnings)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<Line> lines = [];
        Expand(text, fileName, new Reader(readFile ?? ReadFile, warnings), lines, depth: 0);
        return ParseStatements(lines);
    }

    private sealed record Reader(Func<string, string> ReadFile, ICollection<ConfigDiagnostic>? Warnings);

    private readonly record struct Line(List<ConfigWord> Words);

    // Iterative, with an explicit stack of open blocks: nesting is bounded by MaxNesting, never by the thread's stack.
    private static ImmutableArray<ConfigStatement> ParseStatements(List<Line> lines)
    {
        List<(ConfigWord Word, int Line)> tokens = [];
        for (int line = 0; line < lines.Count; line++)
        {
            foreach (ConfigWord word in lines[line].Words)
            {
                tokens.Add((word, line));
            }
        }

        List<Block> open = [new Block(null, [], ImmutableArray.CreateBuilder<ConfigStatement>())];
        int i = 0;
        while (i < tokens.Count)
        {
            (ConfigWord first, int line) = tokens[i];
            if (first.Text == "}")
            {
                if (open.Count == 1)
                {
                    throw new ConfigSyntaxException(first.Location, "'}' without a matching '{'");
                }

                Block closed = open[^1];
                open.RemoveAt(open.Count - 1);
                open[^1].Statements.Add(new ConfigStatement(closed.Opener!.Value, closed.Arguments, closed.Statements.ToImmutable()));
                i++;
                continue;
            }

            if (first.Text == "{")
            {
                throw new ConfigSyntaxException(first.Location, "'{' must follow a keyword");
            }

            // A statement: keyword and arguments up to '{', '}' or the end of its line; a block opens with '{' after
            // them on the same line, or as the first word of the next line.
            int end = i + 1;
            while (end < tokens.Count && tokens[end].Line == line && tokens[end].Word.Text is not ("{" or "}"))
            {
                end++;
            }

            ImmutableArray<ConfigWord> arguments = [.. tokens.GetRange(i + 1, end - i - 1).Select(t => t.Word)];
            if (end < tokens.Count && tokens[end].Word.Text == "{")
            {
                if (open.Count > MaxNesting)
                {
                    throw new ConfigSyntaxException(first.Location, $"blocks nest deeper than {MaxNesting}");
                }

                open.Add(new Block(first, arguments, ImmutableArray.CreateBuilder<ConfigStatement>()));
                i = end + 1;
                continue;
            }

            open[^1].Statements.Add(new ConfigStatement(first, arguments, null));
            i = end;
        }

        if (open.Count > 1)
        {
            throw new ConfigSyntaxException(open[^1].Opener!.Value.Location, $"the block '{open[^1].Opener!.Value.Text}' opened here is never closed (missing '}}')");
        }

        return open[0].Statements.ToImmutable();
    }

    private sealed record Block(ConfigWord? Opener, ImmutableArray<ConfigWord> Arguments, ImmutableArray<ConfigStatement>.Builder Statements);

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
        int nul = line.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            throw new ConfigSyntaxException(new ConfigLocation(fileName, lineNumber, nul + 1), "a NUL byte: this is not a text file");
        }

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
