using System.Text;

namespace Vrrp.Tracking;

/// <summary>
/// Splits a command line into argv with keepalived's rules for <c>script</c> and <c>notify</c> strings (no shell is
/// involved): blanks (space, tab, CR, LF, FF, VT) separate words; single or double quotes group, and may sit inside a
/// word (<c>a"b c"d</c> is one word <c>ab cd</c>); a backslash escapes the next character everywhere, including
/// inside quotes, with the C escapes <c>\a \b \E \f \n \r \t \v</c>, <c>\xHH</c>, <c>\cX</c> (control) and octal
/// <c>\NNN</c>. No variables, globs, pipes or redirections.
/// </summary>
public static class KeepalivedCommandLine
{
    private const string Blanks = " \t\f\n\r\v";

    /// <summary>Splits <paramref name="commandLine"/> into words.</summary>
    /// <exception cref="FormatException">An unterminated quote or a trailing backslash.</exception>
    public static string[] Split(string commandLine)
    {
        if (!TrySplit(commandLine, out string[] words, out string? error))
        {
            throw new FormatException(error);
        }

        return words;
    }

    /// <summary>Splits <paramref name="commandLine"/> into words.</summary>
    /// <param name="commandLine">The command line.</param>
    /// <param name="words">The words; empty for a blank line.</param>
    /// <param name="error">Why the line is invalid, or <see langword="null"/>.</param>
    /// <returns><see langword="false"/> on an unterminated quote or a trailing backslash.</returns>
    public static bool TrySplit(string commandLine, out string[] words, out string? error)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        List<string> result = [];
        StringBuilder word = new();
        int i = 0;
        words = [];
        error = null;
        while (true)
        {
            while (i < commandLine.Length && Blanks.Contains(commandLine[i], StringComparison.Ordinal))
            {
                i++;
            }

            if (i == commandLine.Length)
            {
                break;
            }

            word.Clear();
            char quote = '\0';
            while (i < commandLine.Length)
            {
                char c = commandLine[i];
                if (c == '\\')
                {
                    i++;
                    if (i == commandLine.Length)
                    {
                        error = $"Trailing backslash in '{commandLine}'.";
                        return false;
                    }

                    word.Append(ReadEscape(commandLine, ref i));
                }
                else if (quote != '\0')
                {
                    i++;
                    if (c == quote)
                    {
                        quote = '\0';
                    }
                    else
                    {
                        word.Append(c);
                    }
                }
                else if (c is '"' or '\'')
                {
                    quote = c;
                    i++;
                }
                else if (Blanks.Contains(c, StringComparison.Ordinal))
                {
                    break;
                }
                else
                {
                    word.Append(c);
                    i++;
                }
            }

            if (quote != '\0')
            {
                error = $"Missing terminating {quote} in '{commandLine}'.";
                return false;
            }

            result.Add(word.ToString());
        }

        words = [.. result];
        return true;
    }

    /// <summary>Reads the escape after a backslash; <paramref name="i"/> is at the character after the backslash.</summary>
    private static char ReadEscape(string s, ref int i)
    {
        char c = s[i];
        if (c == 'x' && i + 1 < s.Length && char.IsAsciiHexDigit(s[i + 1]))
        {
            i++;
            int value = 0;
            while (i < s.Length && char.IsAsciiHexDigit(s[i]))
            {
                value = ((value << 4) | Convert.ToInt32(s[i].ToString(), 16)) & 0xFF;
                i++;
            }

            return (char)value;
        }

        if (c == 'c' && i + 1 < s.Length)
        {
            char control = (char)(s[i + 1] & 0x1F);
            i += 2;
            return control;
        }

        if (c is >= '0' and <= '7')
        {
            int value = c - '0';
            i++;
            for (int n = 0; n < 2 && i < s.Length && s[i] is >= '0' and <= '7'; n++, i++)
            {
                value = ((value << 3) + (s[i] - '0')) & 0xFF;
            }

            return (char)value;
        }

        i++;
        return c switch
        {
            'a' => '\a',
            'b' => '\b',
            'E' => '\u001b',
            'f' => '\f',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\v',
            _ => c,
        };
    }
}
