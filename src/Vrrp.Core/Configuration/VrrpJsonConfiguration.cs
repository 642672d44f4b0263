using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Vrrp.Hosting;

namespace Vrrp.Configuration;

/// <summary>
/// Reads the JSON form of a VRRP configuration — the <see cref="VrrpOptions"/> an appsettings.json <c>"Vrrp"</c> section
/// binds to, either as the whole file or under a <c>"Vrrp"</c> property — into the model a keepalived.conf imports to,
/// with every problem at its <c>file:line:column</c>. Property names are case-insensitive, comments and trailing
/// commas are allowed, enums are names (<c>"Master"</c>), durations are <c>"hh:mm:ss[.fff]"</c>; unknown properties
/// inside the VRRP section are errors (a typo must not silently fall back to a default).
/// </summary>
public static class VrrpJsonConfiguration
{
    /// <summary>Whether <paramref name="path"/> looks like the JSON form: a <c>.json</c> extension, or content starting with <c>{</c>.</summary>
    /// <param name="path">The file.</param>
    public static bool IsJsonFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // Read as every configuration file is (regular files only, bounded, never blocking on a FIFO).
        foreach (char c in KeepalivedSyntax.ReadFile(path))
        {
            if (!char.IsWhiteSpace(c) && c != '\uFEFF')
            {
                return c == '{';
            }
        }

        return false;
    }

    /// <summary>Reads and converts a JSON file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="ConfigSyntaxException">The JSON is malformed or a value has the wrong type (with its position).</exception>
    /// <exception cref="KeepalivedConfigException">Values are invalid: every error with its position.</exception>
    public static KeepalivedConfiguration ImportFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return KeepalivedImporter.WarnIfSecretsAreReadable(Import(Platform.SafeFile.ReadAllBytes(path, KeepalivedSyntax.MaxFileBytes, followSymlink: true), path), path);
    }

    /// <summary>Converts JSON text.</summary>
    /// <param name="json">The JSON.</param>
    /// <param name="fileName">The file name used in locations.</param>
    /// <exception cref="ConfigSyntaxException">The JSON is malformed or a value has the wrong type.</exception>
    /// <exception cref="KeepalivedConfigException">Values are invalid: every error with its position.</exception>
    public static KeepalivedConfiguration ImportText(string json, string fileName = "vrrp.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        return Import(Encoding.UTF8.GetBytes(json), fileName);
    }

    /// <summary>Reads the options without converting them.</summary>
    /// <param name="json">The JSON.</param>
    /// <param name="fileName">The file name used in locations.</param>
    /// <exception cref="ConfigSyntaxException">The JSON is malformed or a value has the wrong type.</exception>
    public static VrrpOptions ParseOptions(string json, string fileName = "vrrp.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json), fileName, out _);
    }

    private static KeepalivedConfiguration Import(byte[] utf8, string fileName)
    {
        VrrpOptions options = Parse(utf8, fileName, out string prefix);
        Dictionary<string, ConfigLocation> locations = Locate(utf8, fileName);
        VrrpOptionsConverter.Result result = VrrpOptionsConverter.Convert(options, fileName,
            path => locations.TryGetValue(prefix + path, out ConfigLocation location) ? location : null);
        if (result.Errors.Count > 0)
        {
            throw new KeepalivedConfigException([.. result.Errors
                .Select(e => new ConfigDiagnostic(e.Location, e.Message))
                .OrderBy(e => e.Location.Line).ThenBy(e => e.Location.Column)]);
        }

        return result.Configuration!;
    }

    private static VrrpOptions Parse(byte[] utf8, string fileName, out string prefix)
    {
        ReadOnlySpan<byte> json = utf8.AsSpan();
        if (json.StartsWith(Encoding.UTF8.Preamble))
        {
            json = json[Encoding.UTF8.Preamble.Length..];
        }

        try
        {
            bool wrapped;
            using (JsonDocument document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new ConfigSyntaxException(new ConfigLocation(fileName, 1, 1), "the configuration must be a JSON object");
                }

                wrapped = document.RootElement.EnumerateObject().Any(p => p.Name.Equals(VrrpOptions.SectionName, StringComparison.OrdinalIgnoreCase));
            }

            prefix = wrapped ? VrrpOptions.SectionName + ":" : "";
            VrrpOptions? options = wrapped
                ? JsonSerializer.Deserialize(json, VrrpJsonContext.Default.VrrpJsonFile)?.Vrrp
                : JsonSerializer.Deserialize(json, VrrpJsonContext.Default.VrrpOptions);
            return options ?? new VrrpOptions();
        }
        catch (JsonException e)
        {
            int line = (int)(e.LineNumber ?? 0) + 1;
            int column = (int)(e.BytePositionInLine ?? 0) + 1;
            string message = e.Message;
            int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            message = cut > 0 ? message[..cut] : message;
            string path = e.Path is { Length: > 2 } p ? p[2..] : "";
            if (path.StartsWith(VrrpOptions.SectionName + ".", StringComparison.OrdinalIgnoreCase))
            {
                path = path[(VrrpOptions.SectionName.Length + 1)..];
            }

            throw new ConfigSyntaxException(new ConfigLocation(fileName, line, column), path.Length > 0 ? $"{path}: {message}" : message);
        }
    }

    /// <summary>Maps each configuration path (<c>Vrrp:Instances:0:Priority</c>) to where its property or value starts.</summary>
    private static Dictionary<string, ConfigLocation> Locate(byte[] utf8, string fileName)
    {
        List<int> lineStarts = [0];
        for (int i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        ConfigLocation At(long offset)
        {
            int index = lineStarts.BinarySearch((int)offset);
            int line = index >= 0 ? index : ~index - 1;
            int column = Encoding.UTF8.GetCharCount(utf8, lineStarts[line], (int)offset - lineStarts[line]) + 1;
            return new ConfigLocation(fileName, line + 1, column);
        }

        Dictionary<string, ConfigLocation> map = new(StringComparer.OrdinalIgnoreCase);
        Stack<(string Path, bool IsArray, int Next)> frames = new();
        string? property = null;
        Utf8JsonReader reader = new(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = Join(frames.Count > 0 ? frames.Peek().Path : "", reader.GetString()!);
                        map.TryAdd(property, At(reader.TokenStartIndex));
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        string path = ValuePath(frames, ref property, map, At(reader.TokenStartIndex));
                        frames.Push((path, reader.TokenType == JsonTokenType.StartArray, 0));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.Pop();
                        break;
                    default:
                        ValuePath(frames, ref property, map, At(reader.TokenStartIndex));
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Parse already succeeded; a reader difference only loses locations.
        }

        return map;
    }

    private static string ValuePath(Stack<(string Path, bool IsArray, int Next)> frames, ref string? property, Dictionary<string, ConfigLocation> map, ConfigLocation at)
    {
        if (frames.Count > 0 && frames.Peek().IsArray)
        {
            (string parent, bool isArray, int next) = frames.Pop();
            frames.Push((parent, isArray, next + 1));
            string element = Join(parent, next.ToString(System.Globalization.CultureInfo.InvariantCulture));
            map.TryAdd(element, at);
            return element;
        }

        string path = property ?? "";
        property = null;
        return path;
    }

    private static string Join(string parent, string name) => parent.Length == 0 ? name : parent + ":" + name;
}

/// <summary>An appsettings-shaped file: the options under <c>"Vrrp"</c>, anything else ignored.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
internal sealed class VrrpJsonFile
{
    public VrrpOptions? Vrrp { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UseStringEnumConverter = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(VrrpOptions))]
[JsonSerializable(typeof(VrrpJsonFile))]
internal sealed partial class VrrpJsonContext : JsonSerializerContext;
