using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Vrrp.Packets;
using Vrrp.Routing;

namespace Vrrp.Configuration;

/// <summary>Something the importer has to say about a place in the file.</summary>
public sealed record ConfigDiagnostic(ConfigLocation Location, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>A keepalived.conf that parsed but cannot be used as it is: every error, each with its position.</summary>
public sealed class KeepalivedConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KeepalivedConfigException(IReadOnlyList<ConfigDiagnostic> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    /// <summary>Every error found, in file order.</summary>
    public IReadOnlyList<ConfigDiagnostic> Errors { get; }
}

/// <summary>
/// The scripts keepalived runs on transitions, each as argv (never a shell string):
/// <c>notify_master</c>, <c>notify_backup</c>, <c>notify_fault</c>, <c>notify_stop</c>, and the generic <c>notify</c>
/// that receives <c>INSTANCE name STATE priority</c> after its own arguments.
/// </summary>
public sealed record NotifyScripts(
    ImmutableArray<string> Master,
    ImmutableArray<string> Backup,
    ImmutableArray<string> Fault,
    ImmutableArray<string> Stop,
    ImmutableArray<string> Generic)
{
    /// <summary>No scripts.</summary>
    public static NotifyScripts None { get; } = new([], [], [], [], []);

    /// <summary>Whether any script is configured.</summary>
    public bool Any => !Master.IsEmpty || !Backup.IsEmpty || !Fault.IsEmpty || !Stop.IsEmpty || !Generic.IsEmpty;
}

/// <summary>One imported <c>vrrp_instance</c>.</summary>
public sealed record KeepalivedInstance(VirtualRouterOptions Options, string? Interface, NotifyScripts Notify, ConfigLocation Location);

/// <summary>The VRRP side of a keepalived.conf, as options.</summary>
public sealed record KeepalivedConfiguration(
    string? RouterId,
    ImmutableArray<KeepalivedInstance> Instances,
    ImmutableArray<ConfigDiagnostic> Unsupported,
    ImmutableArray<ConfigDiagnostic> Warnings);

/// <summary>
/// Imports keepalived.conf (keepalived.conf(5)) into <see cref="VirtualRouterOptions"/>. What it does not support yet
/// is listed in <see cref="KeepalivedConfiguration.Unsupported"/> with its position — never silently ignored; values
/// that are wrong are errors with their position (<see cref="KeepalivedConfigException"/>).
/// </summary>
public static class KeepalivedImporter
{
    /// <summary>Reads and imports a file (with its includes).</summary>
    /// <exception cref="ConfigSyntaxException">The file is not keepalived.conf syntax.</exception>
    /// <exception cref="KeepalivedConfigException">Values are wrong; every error is listed with its position.</exception>
    public static KeepalivedConfiguration ImportFile(string path) => Import(KeepalivedSyntax.ParseFile(path));

    /// <summary>Imports text as the file <paramref name="fileName"/>.</summary>
    /// <inheritdoc cref="ImportFile(string)"/>
    public static KeepalivedConfiguration ImportText(string text, string fileName = "keepalived.conf") => Import(KeepalivedSyntax.Parse(text, fileName));

    /// <summary>Imports parsed statements.</summary>
    /// <inheritdoc cref="ImportFile(string)"/>
    public static KeepalivedConfiguration Import(ImmutableArray<ConfigStatement> statements)
    {
        Context context = new();
        string? routerId = null;
        VrrpVersion defaultVersion = VrrpVersion.V2;

        // global_defs first: vrrp_version applies to every instance wherever it stands.
        foreach (ConfigStatement statement in statements.Where(s => s.Keyword.Text == "global_defs"))
        {
            foreach (ConfigStatement item in statement.Children)
            {
                switch (item.Keyword.Text)
                {
                    case "router_id":
                        routerId = context.Single(item);
                        break;
                    case "vrrp_version":
                        if (context.Int(item, 2, 3) is int version)
                        {
                            defaultVersion = (VrrpVersion)version;
                        }

                        break;
                    default:
                        context.NotSupported(item, "global_defs");
                        break;
                }
            }
        }

        var instances = ImmutableArray.CreateBuilder<KeepalivedInstance>();
        foreach (ConfigStatement statement in statements)
        {
            switch (statement.Keyword.Text)
            {
                case "global_defs":
                    break;
                case "vrrp_instance":
                    if (ImportInstance(statement, defaultVersion, context) is { } instance)
                    {
                        instances.Add(instance);
                    }

                    break;
                default:
                    context.NotSupported(statement, "the top level");
                    break;
            }
        }

        foreach (IGrouping<(AddressFamily, int), KeepalivedInstance> duplicate in instances
            .GroupBy(i => (i.Options.AddressFamily, i.Options.VirtualRouterId)).Where(g => g.Count() > 1))
        {
            KeepalivedInstance second = duplicate.Skip(1).First();
            context.Error(second.Location, $"virtual_router_id {second.Options.VirtualRouterId} is used by instance '{duplicate.First().Options.Name}' too (at {duplicate.First().Location}); each instance of one address family needs its own");
        }

        if (context.Errors.Count > 0)
        {
            throw new KeepalivedConfigException([.. context.Errors.OrderBy(e => e.Location.File, StringComparer.Ordinal).ThenBy(e => e.Location.Line).ThenBy(e => e.Location.Column)]);
        }

        return new KeepalivedConfiguration(routerId, instances.ToImmutable(), [.. context.Unsupported], [.. context.Warnings]);
    }

    /// <summary>
    /// Splits a script command into argv the way keepalived does: blanks separate words, single and double
    /// quotes group them, a backslash escapes the next character. No shell is involved.
    /// </summary>
    public static ImmutableArray<string> SplitCommand(string command) => [.. Vrrp.Tracking.KeepalivedCommandLine.Split(command)];

    private static KeepalivedInstance? ImportInstance(ConfigStatement statement, VrrpVersion defaultVersion, Context context)
    {
        if (statement.Arguments.Length != 1)
        {
            context.Error(statement.Location, "vrrp_instance takes exactly one name");
            return null;
        }

        VirtualRouterOptions options = new() { Name = statement.Arguments[0].Text, Version = defaultVersion };
        Dictionary<string, ConfigLocation> setAt = new(StringComparer.Ordinal) { [nameof(options.Name)] = statement.Location };
        string? interfaceName = null;
        ImmutableArray<string> master = [], backup = [], fault = [], stop = [], generic = [];
        decimal? advertInt = null;
        ConfigStatement? advertIntStatement = null;
        int errorsBefore = context.Errors.Count;

        foreach (ConfigStatement item in statement.Children)
        {
            string keyword = item.Keyword.Text;
            switch (keyword)
            {
                case "state":
                    string? state = context.Single(item);
                    if (state is "MASTER" or "BACKUP")
                    {
                        options.InitialState = state == "MASTER" ? VrrpInitialState.Master : VrrpInitialState.Backup;
                        setAt[nameof(options.InitialState)] = item.Location;
                    }
                    else if (state is not null)
                    {
                        context.Error(item.Arguments[0].Location, $"state is MASTER or BACKUP; got '{state}'");
                    }

                    break;
                case "interface":
                    interfaceName = context.Single(item);
                    break;
                case "virtual_router_id":
                    Set(context.Int(item, 1, 255), v => options.VirtualRouterId = v, nameof(options.VirtualRouterId), item, setAt);
                    break;
                case "priority":
                    Set(context.Int(item, 1, 255), v => options.Priority = v, nameof(options.Priority), item, setAt);
                    break;
                case "advert_int":
                    advertInt = context.Decimal(item, 0.01m, 255m);
                    advertIntStatement = item;
                    break;
                case "version":
                    Set(context.Int(item, 2, 3), v => options.Version = (VrrpVersion)v, nameof(options.Version), item, setAt);
                    break;
                case "unicast_src_ip":
                    if (context.Address(item) is IPAddress source)
                    {
                        options.UnicastSource = source;
                        setAt[nameof(options.UnicastSource)] = item.Location;
                    }

                    break;
                case "unicast_peer":
                    ImportPeers(item, options, context);
                    setAt[nameof(options.Peers)] = item.Location;
                    break;
                case "unicast_ttl":
                    Set(context.Int(item, 1, 255), v => options.UnicastTimeToLive = v, nameof(options.UnicastTimeToLive), item, setAt);
                    break;
                case "authentication":
                    ImportAuthentication(item, options, context);
                    setAt[nameof(options.AuthType)] = item.Location;
                    setAt[nameof(options.AuthPassword)] = item.Location;
                    break;
                case "nopreempt":
                    context.NoArguments(item);
                    options.Preempt = false;
                    setAt[nameof(options.Preempt)] = item.Location;
                    break;
                case "preempt":
                    context.NoArguments(item);
                    options.Preempt = true;
                    break;
                case "preempt_delay":
                    if (context.Decimal(item, 0m, 1000m) is decimal delay)
                    {
                        options.PreemptDelay = TimeSpan.FromMilliseconds((double)(delay * 1000m));
                        setAt[nameof(options.PreemptDelay)] = item.Location;
                    }

                    break;
                case "virtual_ipaddress":
                    ImportVirtualAddresses(item, options, context);
                    setAt[nameof(options.VirtualAddresses)] = item.Location;
                    break;
                case "old_unicast_checksum":
                    // Send the pre-1.3.7 VRRPv3 checksum (pseudo-header with 224.0.0.18). "never" keeps the current one;
                    // every variant is accepted on receive either way.
                    if (item.Arguments.Length == 0)
                    {
                        options.ChecksumMode = VrrpChecksumMode.PseudoHeaderVrrpMulticast;
                        setAt[nameof(options.ChecksumMode)] = item.Location;
                    }
                    else if (context.Single(item) is { } never && never != "never")
                    {
                        context.Error(item.Arguments[0].Location, $"old_unicast_checksum takes nothing or 'never'; got '{never}'");
                    }

                    break;
                case "notify_master":
                    master = context.Command(item);
                    break;
                case "notify_backup":
                    backup = context.Command(item);
                    break;
                case "notify_fault":
                    fault = context.Command(item);
                    break;
                case "notify_stop":
                    stop = context.Command(item);
                    break;
                case "notify":
                    generic = context.Command(item);
                    break;
                default:
                    context.NotSupported(item, $"vrrp_instance {options.Name}");
                    break;
            }
        }

        if (advertInt is decimal seconds && advertIntStatement is not null)
        {
            if (options.Version == VrrpVersion.V2 && seconds != decimal.Truncate(seconds))
            {
                context.Error(advertIntStatement.Arguments[0].Location, $"VRRPv2 advertises in whole seconds; advert_int {seconds.ToString(CultureInfo.InvariantCulture)} needs version 3");
            }
            else if (options.Version == VrrpVersion.V3 && seconds * 100m != decimal.Truncate(seconds * 100m))
            {
                context.Error(advertIntStatement.Arguments[0].Location, $"VRRPv3 advertises in steps of 0.01 s; got {seconds.ToString(CultureInfo.InvariantCulture)}");
            }
            else
            {
                options.AdvertisementInterval = TimeSpan.FromMilliseconds((double)(seconds * 1000m));
                setAt[nameof(options.AdvertisementInterval)] = advertIntStatement.Location;
            }
        }

        if (context.Errors.Count > errorsBefore)
        {
            return null;
        }

        foreach (string error in options.Validate())
        {
            string field = error[..Math.Max(0, error.IndexOf(':', StringComparison.Ordinal))];
            ConfigLocation location = setAt.TryGetValue(field, out ConfigLocation at) ? at : statement.Location;
            context.Error(location, $"vrrp_instance {options.Name}: {KeepalivedName(field)}: {error[(error.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()}");
        }

        return new KeepalivedInstance(options, interfaceName, new NotifyScripts(master, backup, fault, stop, generic), statement.Location);
    }

    /// <summary>
    /// Parses an address as inet_pton does: IPv4 only in full dotted-quad form. (<see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
    /// also accepts inet_aton shorthands such as <c>192.0.2</c> for 192.0.0.2, which keepalived rejects.)
    /// </summary>
    public static bool TryParseAddress(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!IPAddress.TryParse(text, out address))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            string[] parts = text.Split('.');
            if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit)))
            {
                address = null;
                return false;
            }
        }

        return true;
    }

    private static string KeepalivedName(string field) => field switch
    {
        nameof(VirtualRouterOptions.VirtualRouterId) => "virtual_router_id",
        nameof(VirtualRouterOptions.Priority) => "priority",
        nameof(VirtualRouterOptions.AdvertisementInterval) => "advert_int",
        nameof(VirtualRouterOptions.InitialState) => "state",
        nameof(VirtualRouterOptions.Preempt) => "nopreempt",
        nameof(VirtualRouterOptions.PreemptDelay) => "preempt_delay",
        nameof(VirtualRouterOptions.UnicastSource) => "unicast_src_ip",
        nameof(VirtualRouterOptions.Peers) => "unicast_peer",
        nameof(VirtualRouterOptions.VirtualAddresses) => "virtual_ipaddress",
        nameof(VirtualRouterOptions.UnicastTimeToLive) => "unicast_ttl",
        nameof(VirtualRouterOptions.AuthType) or nameof(VirtualRouterOptions.AuthPassword) => "authentication",
        nameof(VirtualRouterOptions.Version) => "version",
        nameof(VirtualRouterOptions.ChecksumMode) => "old_unicast_checksum",
        _ => field,
    };

    private static void Set(int? value, Action<int> apply, string field, ConfigStatement item, Dictionary<string, ConfigLocation> setAt)
    {
        if (value is int v)
        {
            apply(v);
            setAt[field] = item.Location;
        }
    }

    private static void ImportPeers(ConfigStatement block, VirtualRouterOptions options, Context context)
    {
        if (!context.IsBlock(block))
        {
            return;
        }

        foreach (ConfigStatement peer in block.Children)
        {
            if (!TryParseAddress(peer.Keyword.Text, out IPAddress? address))
            {
                context.Error(peer.Location, $"unicast_peer: '{peer.Keyword.Text}' is not an IP address");
                continue;
            }

            VrrpPeer entry = new(address);
            for (int i = 0; i < peer.Arguments.Length; i++)
            {
                string option = peer.Arguments[i].Text;
                if (option is "min_ttl" or "max_ttl" && i + 1 < peer.Arguments.Length &&
                    int.TryParse(peer.Arguments[i + 1].Text, NumberStyles.None, CultureInfo.InvariantCulture, out int ttl) && ttl is >= 0 and <= 255)
                {
                    if (option == "min_ttl")
                    {
                        entry.MinTimeToLive = ttl;
                    }
                    else
                    {
                        entry.MaxTimeToLive = ttl;
                    }

                    i++;
                }
                else if (option is "min_ttl" or "max_ttl")
                {
                    context.Error(peer.Arguments[i].Location, $"{option} takes a number 0..255");
                    i++;
                }
                else
                {
                    context.NotSupported(peer.Arguments[i], "unicast_peer", $"unicast_peer option '{option}'");
                }
            }

            options.Peers.Add(entry);
        }
    }

    private static void ImportAuthentication(ConfigStatement block, VirtualRouterOptions options, Context context)
    {
        if (!context.IsBlock(block))
        {
            return;
        }

        foreach (ConfigStatement item in block.Children)
        {
            switch (item.Keyword.Text)
            {
                case "auth_type":
                    string? type = context.Single(item);
                    if (type == "PASS")
                    {
                        options.AuthType = VrrpAuthType.SimplePassword;
                    }
                    else if (type == "AH")
                    {
                        context.NotSupported(item.Arguments[0], "authentication", "auth_type AH (IPsec AH authentication)");
                    }
                    else if (type is not null)
                    {
                        context.Error(item.Arguments[0].Location, $"auth_type is PASS or AH; got '{type}'");
                    }

                    break;
                case "auth_pass":
                    string? password = context.Single(item);
                    if (password is not null && Encoding.UTF8.GetByteCount(password) > VrrpAuthenticationData.Length)
                    {
                        // keepalived truncates to 8 characters with a warning; so do we, loudly.
                        context.Warning(item.Location, "auth_pass is longer than 8 characters; only the first 8 are used (as keepalived does)");
                        password = password[..VrrpAuthenticationData.Length];
                    }

                    options.AuthPassword = password;
                    break;
                default:
                    context.NotSupported(item, "authentication");
                    break;
            }
        }
    }

    private static void ImportVirtualAddresses(ConfigStatement block, VirtualRouterOptions options, Context context)
    {
        if (!context.IsBlock(block))
        {
            return;
        }

        foreach (ConfigStatement entry in block.Children)
        {
            string text = entry.Keyword.Text;
            string addressText = text.Split('/')[0];
            if (!TryParseAddress(addressText, out IPAddress? address) ||
                (text.Contains('/', StringComparison.Ordinal) && !int.TryParse(text[(text.IndexOf('/', StringComparison.Ordinal) + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                context.Error(entry.Location, $"virtual_ipaddress: '{text}' is not an address[/prefix]");
                continue;
            }

            options.VirtualAddresses.Add(address);
            if (entry.Arguments.Length > 0)
            {
                context.NotSupported(entry.Arguments[0], "virtual_ipaddress", $"virtual_ipaddress options ({string.Join(' ', entry.Arguments)})");
            }
        }
    }

    private sealed class Context
    {
        public List<ConfigDiagnostic> Errors { get; } = [];

        public List<ConfigDiagnostic> Unsupported { get; } = [];

        public List<ConfigDiagnostic> Warnings { get; } = [];

        public void Error(ConfigLocation location, string message) => Errors.Add(new ConfigDiagnostic(location, message));

        public void Warning(ConfigLocation location, string message) => Warnings.Add(new ConfigDiagnostic(location, message));

        public void NotSupported(ConfigStatement statement, string where) =>
            Unsupported.Add(new ConfigDiagnostic(statement.Location, $"'{statement.Keyword.Text}' in {where} is not supported yet"));

        public void NotSupported(ConfigWord word, string where, string what) =>
            Unsupported.Add(new ConfigDiagnostic(word.Location, $"{what} in {where} is not supported yet"));

        public bool IsBlock(ConfigStatement statement)
        {
            if (!statement.IsBlock)
            {
                Error(statement.Location, $"{statement.Keyword.Text} is a block: {statement.Keyword.Text} {{ ... }}");
            }

            return statement.IsBlock;
        }

        public void NoArguments(ConfigStatement statement)
        {
            if (statement.Arguments.Length > 0)
            {
                Error(statement.Arguments[0].Location, $"{statement.Keyword.Text} takes no value");
            }
        }

        public string? Single(ConfigStatement statement)
        {
            if (statement.Arguments.Length != 1 || statement.IsBlock)
            {
                Error(statement.Location, $"{statement.Keyword.Text} takes exactly one value");
                return null;
            }

            return statement.Arguments[0].Text;
        }

        public int? Int(ConfigStatement statement, int min, int max)
        {
            string? text = Single(statement);
            if (text is null)
            {
                return null;
            }

            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            {
                Error(statement.Arguments[0].Location, $"{statement.Keyword.Text} is a whole number {min}..{max}; got '{text}'");
                return null;
            }

            return value;
        }

        public decimal? Decimal(ConfigStatement statement, decimal min, decimal max)
        {
            string? text = Single(statement);
            if (text is null)
            {
                return null;
            }

            if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value) || value < min || value > max)
            {
                Error(statement.Arguments[0].Location, $"{statement.Keyword.Text} is a number of seconds {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}; got '{text}'");
                return null;
            }

            return value;
        }

        public IPAddress? Address(ConfigStatement statement)
        {
            string? text = Single(statement);
            if (text is null)
            {
                return null;
            }

            if (!TryParseAddress(text, out IPAddress? address))
            {
                Error(statement.Arguments[0].Location, $"{statement.Keyword.Text}: '{text}' is not an IP address");
                return null;
            }

            return address;
        }

        public ImmutableArray<string> Command(ConfigStatement statement)
        {
            if (statement.Arguments.Length == 0 || statement.IsBlock)
            {
                Error(statement.Location, $"{statement.Keyword.Text} takes a script command line");
                return [];
            }

            // One quoted argument is a whole command line; several unquoted words are already argv.
            if (statement.Arguments.Length > 1)
            {
                return [.. statement.Arguments.Select(a => a.Text)];
            }

            if (!Vrrp.Tracking.KeepalivedCommandLine.TrySplit(statement.Arguments[0].Text, out string[] words, out string? problem) || words.Length == 0)
            {
                Error(statement.Arguments[0].Location, $"{statement.Keyword.Text}: {problem ?? "empty command"}");
                return [];
            }

            return [.. words];
        }
    }
}
