using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace Vrrp.Aws;

/// <summary>
/// The <c>"Aws"</c> section of the console host's JSON configuration (next to <c>"Vrrp"</c>): which instance moves
/// which AWS address.
/// <code>
/// "Aws": {
///   "Failover": { "Region": "us-east-1" },
///   "Actions": [ { "Instance": "haproxy-vip", "ElasticIp": { "AllocationId": "eipalloc-39xxxxxx" }, "RecheckInterval": "00:01:00" } ]
/// }
/// </code>
/// </summary>
public sealed class AwsHostConfiguration
{
    /// <summary>The section name.</summary>
    public const string SectionName = "Aws";

    /// <summary>Region or endpoint, deadline and retry settings shared by the actions.</summary>
    public AwsFailoverOptions Failover { get; set; } = new();

    /// <summary>IMDSv2 settings, for actions that do not name their network interface.</summary>
    public InstanceIdentityOptions Identity { get; set; } = new();

    /// <summary>One entry per address to move.</summary>
    public IList<AwsHostAction> Actions { get; set; } = [];

    /// <summary>
    /// Reads the <c>"Aws"</c> section of a JSON file; <see langword="null"/> when the file has none (or is not JSON).
    /// </summary>
    /// <exception cref="FormatException">The section is malformed or invalid; the message names the field.</exception>
    public static AwsHostConfiguration? FromJsonFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromJson(Vrrp.Configuration.KeepalivedSyntax.ReadFile(path), path);
    }

    /// <summary>
    /// Whether the text is a JSON object: its first character after blanks and comments (<c>//</c>, <c>/* */</c>, which the
    /// JSON form allows) is <c>{</c>. A keepalived.conf never starts that way.
    /// </summary>
    private static bool StartsWithObject(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]) || text[i] == '\uFEFF')
            {
                i++;
            }
            else if (string.CompareOrdinal(text, i, "//", 0, 2) == 0)
            {
                int end = text.IndexOf('\n', i);
                i = end < 0 ? text.Length : end + 1;
            }
            else if (string.CompareOrdinal(text, i, "/*", 0, 2) == 0)
            {
                int end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
            }
            else
            {
                return text[i] == '{';
            }
        }

        return false;
    }

    /// <summary>Reads the <c>"Aws"</c> section of a JSON text; <see langword="null"/> when it has none.</summary>
    /// <exception cref="FormatException">The section is malformed or invalid; the message names the field.</exception>
    public static AwsHostConfiguration? FromJson(string json, string fileName = "vrrp.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!StartsWithObject(json))
        {
            return null;
        }

        AwsHostConfiguration? configuration;
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            JsonProperty? section = document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.EnumerateObject().Cast<JsonProperty?>().FirstOrDefault(p => p!.Value.Name.Equals(SectionName, StringComparison.OrdinalIgnoreCase))
                : null;
            if (section is null)
            {
                return null;
            }

            configuration = section.Value.Value.Deserialize(AwsHostJsonContext.Default.AwsHostConfiguration);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{fileName}: {SectionName}: {e.Message}", e);
        }

        if (configuration is null)
        {
            return null;
        }

        try
        {
            configuration.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{fileName}: {SectionName}: {e.Message}", e);
        }

        return configuration;
    }

    /// <summary>Checks every entry; the exception names the field (e.g. <c>Actions[0].ElasticIp.AllocationId</c>).</summary>
    /// <exception cref="ArgumentException">An entry is invalid.</exception>
    public void Validate()
    {
        Failover.Validate();
        Identity.Validate();
        for (int i = 0; i < Actions.Count; i++)
        {
            AwsHostAction entry = Actions[i];
            FloatingAddressOptions?[] modes = [entry.ElasticIp, entry.SecondaryPrivateIp, entry.RouteTable];
            if (modes.Count(m => m is not null) != 1)
            {
                throw new ArgumentException($"Actions[{i}]: give exactly one of ElasticIp, SecondaryPrivateIp, RouteTable.", nameof(Actions));
            }

            try
            {
                modes.First(m => m is not null)!.Validate();
                entry.ToActionOptions().Validate();
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Actions[{i}].{e.ParamName ?? "?"}: {e.Message}", nameof(Actions), e);
            }
        }
    }

    /// <summary>Builds the actions (their EC2 clients use the SDK's default credential chain).</summary>
    public IReadOnlyList<FloatingAddressAction> CreateActions(TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null) =>
        [.. Actions.Select((_, i) => CreateAction(i, timeProvider, loggerFactory))];

    /// <summary>Builds the action of entry <paramref name="index"/> (its EC2 client uses the SDK's default credential chain).</summary>
    internal FloatingAddressAction CreateAction(int index, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
    {
        AwsHostAction a = Actions[index];
        return FloatingAddressActionFactory.CreateWithOwnClient(Failover, (a.ElasticIp ?? a.SecondaryPrivateIp ?? (FloatingAddressOptions?)a.RouteTable)!,
            a.ToActionOptions(), Identity, timeProvider, loggerFactory);
    }
}

/// <summary>One address the host moves: the instance whose MASTER takes it, and exactly one mode.</summary>
public sealed class AwsHostAction
{
    /// <summary>The VRRP instance (vrrp_instance name) whose MASTER holds the address; null for every instance.</summary>
    public string? Instance { get; set; }

    /// <summary>Elastic IP mode.</summary>
    public ElasticIpOptions? ElasticIp { get; set; }

    /// <summary>Secondary private IP mode.</summary>
    public SecondaryPrivateIpOptions? SecondaryPrivateIp { get; set; }

    /// <summary>Route-table overlay IP mode.</summary>
    public RouteTableOptions? RouteTable { get; set; }

    /// <summary>Optional periodic re-check while MASTER.</summary>
    public TimeSpan? RecheckInterval { get; set; }

    internal FloatingAddressActionOptions ToActionOptions() => new()
    {
        Name = $"aws:{Instance ?? "*"}:{(ElasticIp is not null ? "eip" : SecondaryPrivateIp is not null ? "secondary-ip" : "route")}",
        InstanceName = Instance,
        RecheckInterval = RecheckInterval,
    };
}

[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    PreferredObjectCreationHandling = JsonObjectCreationHandling.Populate,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(AwsHostConfiguration))]
internal sealed partial class AwsHostJsonContext : JsonSerializerContext;
