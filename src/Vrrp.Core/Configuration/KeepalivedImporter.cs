using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Vrrp.Actions;
using Vrrp.Packets;
using Vrrp.Routing;
using Vrrp.Tracking;

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
        : this(errors, [])
    {
    }

    /// <summary>Creates the exception, keeping what the file uses that is not supported yet.</summary>
    public KeepalivedConfigException(IReadOnlyList<ConfigDiagnostic> errors, IReadOnlyList<ConfigDiagnostic> unsupported)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
        Unsupported = unsupported ?? [];
    }

    /// <summary>Every error found, in file order.</summary>
    public IReadOnlyList<ConfigDiagnostic> Errors { get; }

    /// <summary>What the file uses that this version does not support yet (as <see cref="KeepalivedConfiguration.Unsupported"/>).</summary>
    public IReadOnlyList<ConfigDiagnostic> Unsupported { get; }
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

    /// <summary><c>notify_master_rx_lower_pri</c>: run when a MASTER hears a lower-priority advert (clouds: re-take the address).</summary>
    public ImmutableArray<string> MasterRxLowerPriority { get; init; } = [];

    /// <summary>Whether any script is configured.</summary>
    public bool Any => !Master.IsEmpty || !Backup.IsEmpty || !Fault.IsEmpty || !Stop.IsEmpty || !Generic.IsEmpty || !MasterRxLowerPriority.IsEmpty;
}

/// <summary>
/// A health check of the file (<c>vrrp_script</c>, <c>vrrp_track_process</c>, <c>vrrp_track_file</c>, or an interface
/// named by <c>track_interface</c>), with the tracker options that run it. Instances that track it carry a
/// <see cref="VrrpTrackerOptions"/> of the same <see cref="Name"/> (with their weight) in their options.
/// </summary>
public sealed record KeepalivedTracker(string Name, TrackerOptions Options, ConfigLocation Location);

/// <summary>
/// A <c>vrrp_sync_group</c>: instances that change state together. Its trackers (<c>track_script</c>, ...) are already
/// added to every member's <see cref="VirtualRouterOptions.Trackers"/>; its notify scripts run on the group's transitions.
/// </summary>
public sealed record KeepalivedSyncGroup(string Name, ImmutableArray<string> Instances, ConfigLocation Location)
{
    /// <summary>The group's notify scripts (the generic one gets <c>GROUP name STATE 0</c> appended).</summary>
    public NotifyScripts Notify { get; init; } = NotifyScripts.None;

    /// <summary>keepalived <c>sync_group_tracking_weight</c>: the members' own weighted trackers are kept (keepalived ignores them otherwise).</summary>
    public bool TrackingWeight { get; init; }
}

/// <summary>
/// An address the instance adds to an interface while MASTER (<c>virtual_ipaddress</c>, advertised; or
/// <c>virtual_ipaddress_excluded</c>, not advertised), with its <c>dev</c> and <c>label</c>.
/// </summary>
public sealed record KeepalivedLocalAddress(LocalVirtualAddress Address, string? Device, string? Label, bool Excluded, ConfigLocation Location);

/// <summary>keepalived's gratuitous ARP / unsolicited NA settings (global <c>vrrp_garp_*</c>, per instance <c>garp_*</c>).</summary>
public sealed record GarpSettings(TimeSpan MasterDelay, int MasterRepeat, TimeSpan MasterRefresh, int MasterRefreshRepeat, TimeSpan? LowerPriorityDelay, int? LowerPriorityRepeat)
{
    /// <summary>keepalived's defaults: delay 5 s, repeat 5, refresh off, refresh repeat 1; lower-priority values follow the master ones.</summary>
    public static GarpSettings Default { get; } = new(TimeSpan.FromSeconds(5), 5, TimeSpan.Zero, 1, null, null);

    /// <summary>global <c>vrrp_garp_interval</c>: the least time between two gratuitous ARPs on one interface (default zero).</summary>
    public TimeSpan GarpInterval { get; init; }

    /// <summary>global <c>vrrp_gna_interval</c>: the least time between two unsolicited neighbour advertisements on one interface (default zero).</summary>
    public TimeSpan GnaInterval { get; init; }
}

/// <summary>
/// keepalived's notify FIFO (global <c>notify_fifo</c> or <c>vrrp_notify_fifo</c>, each with its optional
/// <c>..._script</c>): the path, the owner given for it, and the script that reads it with the user it runs as.
/// </summary>
public sealed record KeepalivedNotifyFifo(string Keyword, string Path, ConfigLocation Location)
{
    /// <summary>The owner the FIFO is created with (<c>notify_fifo PATH [username [groupname]]</c>); <see langword="null"/>: this process's user.</summary>
    public ScriptUser? Owner { get; init; }

    /// <summary>The reader script (<c>notify_fifo_script</c>), as argv; the path is appended when it starts. Empty for none.</summary>
    public ImmutableArray<string> Script { get; init; } = [];

    /// <summary>The user the script runs as; <see langword="null"/>: this process's user.</summary>
    public ScriptUser? ScriptUser { get; init; }
}

/// <summary>One imported <c>vrrp_instance</c>.</summary>
public sealed record KeepalivedInstance(VirtualRouterOptions Options, string? Interface, NotifyScripts Notify, ConfigLocation Location)
{
    /// <summary>The addresses to hold on local interfaces while MASTER (empty for cloud instances that move their address by API).</summary>
    public ImmutableArray<KeepalivedLocalAddress> LocalAddresses { get; init; } = [];

    /// <summary>Gratuitous ARP / NA settings for the local addresses.</summary>
    public GarpSettings Garp { get; init; } = GarpSettings.Default;

    /// <summary>keepalived <c>notify_priority_changes</c> (or the sync group's, or global <c>vrrp_notify_priority_changes</c>):
    /// effective-priority changes are written to the notify FIFOs as <c>MASTER_PRIORITY</c> / <c>BACKUP_PRIORITY</c>.</summary>
    public bool NotifyPriorityChanges { get; init; }
}

/// <summary>The VRRP side of a keepalived.conf, as options.</summary>
public sealed record KeepalivedConfiguration(
    string? RouterId,
    ImmutableArray<KeepalivedInstance> Instances,
    ImmutableArray<ConfigDiagnostic> Unsupported,
    ImmutableArray<ConfigDiagnostic> Warnings)
{
    /// <summary>The health checks some instance tracks (unused definitions are left out, with a warning).</summary>
    public ImmutableArray<KeepalivedTracker> Trackers { get; init; } = [];

    /// <summary>The sync groups.</summary>
    public ImmutableArray<KeepalivedSyncGroup> SyncGroups { get; init; } = [];

    /// <summary>keepalived <c>vrrp_startup_delay</c>: how long after start-up the instances start (default 0).</summary>
    public TimeSpan StartupDelay { get; init; }

    /// <summary>The notify FIFOs (<c>notify_fifo</c>, <c>vrrp_notify_fifo</c>): each gets a line per event.</summary>
    public ImmutableArray<KeepalivedNotifyFifo> NotifyFifos { get; init; } = [];

    /// <summary>
    /// Where the keepalived-compatible JSON snapshot is kept (keepalived <c>json_file_location</c>; JSON <c>StateFile</c>),
    /// an absolute path; <see langword="null"/> when the file does not say (<c>vrrp run</c> then uses its default).
    /// </summary>
    public string? StateFile { get; init; }

    /// <summary>
    /// Environment variables the scripts (notify, FIFO, trackers) get from this process beyond <c>PATH</c>,
    /// <c>LANG</c>, <c>LANGUAGE</c>, <c>TZ</c> and <c>LC_*</c>; a trailing <c>*</c> matches a prefix. Nothing else is
    /// passed, so credentials in this process's environment stay in it (keepalived passes all of it). JSON
    /// <c>ScriptEnvironment</c>; <c>vrrp run --script-env</c>.
    /// </summary>
    public ImmutableArray<string> ScriptEnvironment { get; init; } = [];
}

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
    public static KeepalivedConfiguration ImportFile(string path)
    {
        List<ConfigDiagnostic> includeWarnings = [];
        ImmutableArray<ConfigStatement> statements = KeepalivedSyntax.Parse(KeepalivedSyntax.ReadFile(path), path, readFile: null, includeWarnings);
        KeepalivedConfiguration configuration = Import(statements);
        configuration = configuration with { Warnings = [.. includeWarnings, .. configuration.Warnings] };

        // The password or an auth_hmac key may stand in an included file: each file that holds one is checked.
        foreach (string file in FilesHolding(statements, "auth_pass").Concat(FilesHolding(statements, "auth_hmac")).Distinct(StringComparer.Ordinal))
        {
            configuration = WarnIfSecretsAreReadable(configuration, file);
        }

        return configuration;

        static IEnumerable<string> FilesHolding(ImmutableArray<ConfigStatement> statements, string keyword) =>
            statements.SelectMany(s => s.Keyword.Text == keyword ? [s.Location.File] : FilesHolding(s.Children, keyword));
    }

    /// <summary>
    /// A file that holds a VRRP secret (<c>auth_pass</c>, an inline <c>auth_hmac</c> key) should be readable by its owner only: adds a warning when
    /// group or others may read it (Unix only).
    /// </summary>
    internal static KeepalivedConfiguration WarnIfSecretsAreReadable(KeepalivedConfiguration configuration, string path)
    {
        if (OperatingSystem.IsWindows() || !configuration.Instances.Any(i => i.Options.AuthPassword is not null
            || i.Options.AuthHmac?.Keys.Any(k => !k.Key.StartsWith("file:", StringComparison.Ordinal)) == true))
        {
            return configuration;
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        const UnixFileMode readableByOthers = UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        if ((mode & readableByOthers) == 0)
        {
            return configuration;
        }

        string octal = System.Convert.ToString((int)mode & 0x1FF, 8);
        ConfigDiagnostic warning = new(new ConfigLocation(path, 1, 1),
            $"the file holds a VRRP secret (auth_pass or an auth_hmac key) and is readable by {((mode & UnixFileMode.OtherRead) != 0 ? "everyone" : "its group")} (mode {octal}): chmod 600 it");
        return configuration with { Warnings = [warning, .. configuration.Warnings] };
    }

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
        GarpSettings globalGarp = GarpSettings.Default;
        InstanceDefaults defaults = new();
        TimeSpan startup = TimeSpan.Zero;
        Dictionary<string, KeepalivedNotifyFifo> fifos = new(StringComparer.Ordinal);
        ScriptUser? scriptUser = null;
        bool scriptSecurity = false;
        string? stateFile = null;

        // global_defs first: vrrp_version applies to every instance wherever it stands.
        foreach (ConfigStatement statement in statements.Where(s => s.Keyword.Text == "global_defs"))
        {
            foreach (ConfigStatement item in statement.Children)
            {
                switch (item.Keyword.Text)
                {
                    case "vrrp_check_unicast_src":
                        context.NoArguments(item);
                        defaults.CheckUnicastSource = true;
                        break;
                    case "vrrp_lower_prio_no_advert":
                        defaults.AnswerLowerPriority = !Flag(item, context);
                        break;
                    case "vrrp_higher_prio_send_advert":
                        defaults.AnnounceOnHigherPriority = Flag(item, context);
                        break;
                    case "router_id":
                        routerId = context.Single(item);
                        break;
                    case "json_file_location":
                        if (context.Single(item) is { } jsonFile)
                        {
                            if (Path.IsPathFullyQualified(jsonFile))
                            {
                                stateFile = jsonFile;
                            }
                            else
                            {
                                context.Error(item.Arguments[0].Location, $"json_file_location needs an absolute path; got '{jsonFile}'");
                            }
                        }

                        break;
                    case "vrrp_startup_delay":
                        if (context.Decimal(item, 0m, 86400m) is decimal startupDelay)
                        {
                            startup = TimeSpan.FromMilliseconds((double)decimal.Round(startupDelay * 1000m));
                        }

                        break;
                    case "vrrp_notify_priority_changes":
                        defaults.NotifyPriorityChanges = Flag(item, context);
                        break;
                    case "script_user":
                        if (item.Arguments.Length == 0 || item.IsBlock)
                        {
                            context.Error(item.Location, "script_user takes a user and optionally a group");
                        }
                        else
                        {
                            scriptUser = context.User(item, 0);
                        }

                        break;
                    case "enable_script_security":
                        context.NoArguments(item);
                        scriptSecurity = true;
                        break;
                    case "notify_fifo" or "vrrp_notify_fifo":
                        if (ImportFifo(item, context) is { } fifo)
                        {
                            fifos[item.Keyword.Text] = fifo with { Script = fifos.TryGetValue(item.Keyword.Text, out KeepalivedNotifyFifo? earlier) ? earlier.Script : [], ScriptUser = earlier?.ScriptUser };
                        }

                        break;
                    case "notify_fifo_script" or "vrrp_notify_fifo_script":
                        string fifoKeyword = item.Keyword.Text[..^"_script".Length];
                        (ImmutableArray<string> fifoScript, ScriptUser? fifoUser) = context.CommandAndUser(item);
                        fifos[fifoKeyword] = (fifos.TryGetValue(fifoKeyword, out KeepalivedNotifyFifo? known) ? known : new KeepalivedNotifyFifo(fifoKeyword, "", item.Location))
                            with { Script = fifoScript, ScriptUser = fifoUser };
                        break;
                    case "vrrp_garp_interval" or "vrrp_gna_interval":
                        // Seconds with microseconds, 1 µs .. 2^32 - 1 µs as keepalived reads them; per interface, so global only.
                        if (context.Decimal(item, 0.000001m, uint.MaxValue / 1_000_000m) is decimal pace)
                        {
                            TimeSpan interval = TimeSpan.FromMicroseconds((double)decimal.Round(pace * 1_000_000m));
                            globalGarp = item.Keyword.Text == "vrrp_garp_interval" ? globalGarp with { GarpInterval = interval } : globalGarp with { GnaInterval = interval };
                        }

                        break;
                    case "vrrp_version":
                        if (context.Int(item, 2, 3) is int version)
                        {
                            defaultVersion = (VrrpVersion)version;
                        }

                        break;
                    default:
                        if (!ImportGarp(item, item.Keyword.Text.StartsWith("vrrp_", StringComparison.Ordinal) ? item.Keyword.Text["vrrp_".Length..] : "", ref globalGarp, context))
                        {
                            context.NotSupported(item, "global_defs");
                        }

                        break;
                }
            }
        }

        // Who runs the scripts (script_user, keepalived_script, root) and enable_script_security's checks, for every script below.
        context.Scripts = new ScriptPolicy(scriptUser, scriptSecurity);
        foreach (KeepalivedNotifyFifo fifo in fifos.Values.Where(f => !f.Script.IsEmpty).ToList())
        {
            if (context.Scripts.RunAs(fifo.Script, fifo.ScriptUser, $"{fifo.Keyword}_script", m => context.Error(fifo.Location, m), m => context.Warning(fifo.Location, m), out ScriptUser? runAs))
            {
                fifos[fifo.Keyword] = fifo with { ScriptUser = runAs };
            }
        }

        foreach (KeepalivedNotifyFifo fifo in fifos.Values.Where(f => f.Path.Length == 0))
        {
            context.Error(fifo.Location, $"{fifo.Keyword}_script needs {fifo.Keyword} (the FIFO it reads)");
        }

        if (fifos.Values.Where(f => f.Path.Length > 0).GroupBy(f => f.Path, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } samePath)
        {
            context.Error(samePath.Last().Location, $"notify_fifo and vrrp_notify_fifo must be different FIFOs; both are {samePath.Key}");
        }

        // Health-check definitions next: instances refer to them by name wherever they stand.
        Dictionary<string, TrackerDefinition> definitions = new(StringComparer.Ordinal);
        List<ConfigStatement> syncGroups = [];
        foreach (ConfigStatement statement in statements)
        {
            switch (statement.Keyword.Text)
            {
                case "vrrp_script":
                case "vrrp_track_process":
                case "vrrp_track_file":
                    if (ImportTrackerDefinition(statement, context) is { } definition)
                    {
                        if (!definitions.TryAdd(definition.Key, definition))
                        {
                            context.Error(statement.Location, $"{statement.Keyword.Text} '{statement.Arguments[0].Text}' is defined twice (first at {definitions[definition.Key].Location})");
                        }
                    }

                    break;
                case "vrrp_sync_group":
                    syncGroups.Add(statement);
                    break;
            }
        }

        var instances = ImmutableArray.CreateBuilder<KeepalivedInstance>();
        foreach (ConfigStatement statement in statements)
        {
            switch (statement.Keyword.Text)
            {
                case "global_defs" or "vrrp_script" or "vrrp_track_process" or "vrrp_track_file" or "vrrp_sync_group":
                    break;
                case "vrrp_instance":
                    if (ImportInstance(statement, defaultVersion, globalGarp, defaults, definitions, context) is { } instance)
                    {
                        instances.Add(instance);
                    }

                    break;
                default:
                    context.NotSupported(statement, "the top level");
                    break;
            }
        }

        ImmutableArray<KeepalivedSyncGroup> groups = ImportSyncGroups(syncGroups, instances, definitions, context);
        for (int i = 0; i < instances.Count; i++)
        {
            // notify_priority_changes: the instance's own setting, else its sync group's, else the global default.
            string name = instances[i].Options.Name;
            bool notifyPriority = context.PriorityChanges.TryGetValue(name, out bool own) ? own
                : groups.FirstOrDefault(g => g.Instances.Contains(name)) is { } group && context.PriorityChanges.TryGetValue("group:" + group.Name, out bool fromGroup) ? fromGroup
                : defaults.NotifyPriorityChanges;
            instances[i] = instances[i] with { NotifyPriorityChanges = notifyPriority };
        }

        var trackers = ImmutableArray.CreateBuilder<KeepalivedTracker>();
        foreach (TrackerDefinition definition in definitions.Values.OrderBy(d => d.Location.Line))
        {
            if (definition.Used)
            {
                trackers.Add(new KeepalivedTracker(definition.Key, definition.Options, definition.Location));
            }
            else
            {
                context.Warning(definition.Location, $"'{definition.Options.Name}' is defined but no instance tracks it");
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
            throw new KeepalivedConfigException([.. context.Errors.OrderBy(e => e.Location.File, StringComparer.Ordinal).ThenBy(e => e.Location.Line).ThenBy(e => e.Location.Column)], [.. context.Unsupported]);
        }

        return new KeepalivedConfiguration(routerId, instances.ToImmutable(), [.. context.Unsupported], [.. context.Warnings])
        {
            Trackers = trackers.ToImmutable(),
            SyncGroups = groups,
            StartupDelay = startup,
            NotifyFifos = [.. fifos.Values.Where(f => f.Path.Length > 0).OrderBy(f => f.Keyword, StringComparer.Ordinal)],
            StateFile = stateFile,
        };
    }

    /// <summary>
    /// Splits a script command into argv the way keepalived does: blanks separate words, single and double
    /// quotes group them, a backslash escapes the next character. No shell is involved.
    /// </summary>
    public static ImmutableArray<string> SplitCommand(string command) => [.. Vrrp.Tracking.KeepalivedCommandLine.Split(command)];

    private static KeepalivedInstance? ImportInstance(ConfigStatement statement, VrrpVersion defaultVersion, GarpSettings garp, InstanceDefaults defaults,
        Dictionary<string, TrackerDefinition> definitions, Context context)
    {
        if (statement.Arguments.Length != 1)
        {
            context.Error(statement.Location, "vrrp_instance takes exactly one name");
            return null;
        }

        VirtualRouterOptions options = new()
        {
            Name = statement.Arguments[0].Text,
            Version = defaultVersion,
            AnswerLowerPriorityAdvertisements = defaults.AnswerLowerPriority,
            AnnounceOnHigherPriority = defaults.AnnounceOnHigherPriority,
        };
        if (defaults.CheckUnicastSource)
        {
            options.CheckUnicastSource = true;
        }
        Dictionary<string, ConfigLocation> setAt = new(StringComparer.Ordinal) { [nameof(options.Name)] = statement.Location };
        string? interfaceName = null;
        ImmutableArray<string> master = [], backup = [], fault = [], stop = [], generic = [], lowerPriority = [];
        List<KeepalivedLocalAddress> localAddresses = [];
        decimal? advertInt = null;
        ConfigStatement? advertIntStatement = null;
        ConfigStatement? trackSource = null;
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
                case "auth_hmac":
                    ImportAuthHmac(item, options, context, setAt);
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
                case "virtual_ipaddress_excluded":
                    ImportVirtualAddresses(item, options, localAddresses, excluded: keyword == "virtual_ipaddress_excluded", context);
                    setAt[nameof(options.VirtualAddresses)] = item.Location;
                    break;
                case "track_script":
                case "track_process":
                case "track_file":
                case "track_interface":
                    ImportTracks(item, options, definitions, context);
                    setAt[nameof(options.Trackers)] = item.Location;
                    break;
                case "notify_master_rx_lower_pri":
                    lowerPriority = context.NotifyScript(item, $"vrrp_instance {options.Name}");
                    break;
                case "check_unicast_src":
                    context.NoArguments(item);
                    options.CheckUnicastSource = true;
                    break;
                case "unicast_fault_no_peer":
                    context.NoArguments(item);
                    options.FaultWithoutPeers = true;
                    break;
                case "track_src_ip":
                    context.NoArguments(item);
                    trackSource = item;
                    break;
                case "notify_priority_changes":
                    context.PriorityChanges[options.Name] = Flag(item, context);
                    break;
                case "lower_prio_no_advert":
                    options.AnswerLowerPriorityAdvertisements = !Flag(item, context);
                    break;
                case "higher_prio_send_advert":
                    options.AnnounceOnHigherPriority = Flag(item, context);
                    break;
                case "v3_checksum_as_v2":
                    context.NoArguments(item);
                    options.ChecksumMode = VrrpChecksumMode.MessageOnly;
                    setAt[nameof(options.ChecksumMode)] = item.Location;
                    break;
                case "no_virtual_ipaddress":
                    // Cloud instances move their address by API: no address to advertise or hold (allowed anyway).
                    context.NoArguments(item);
                    break;
                case "accept":
                case "no_accept":
                case "dont_track_primary":
                    // accept/no_accept: keepalived's filtering of traffic to the VIPs (strict mode); we add no filter, so
                    // traffic is always accepted. dont_track_primary: we never track the interface unless track_interface
                    // says so. Both are already our behaviour.
                    context.NoArguments(item);
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
                    master = context.NotifyScript(item, $"vrrp_instance {options.Name}");
                    break;
                case "notify_backup":
                    backup = context.NotifyScript(item, $"vrrp_instance {options.Name}");
                    break;
                case "notify_fault":
                    fault = context.NotifyScript(item, $"vrrp_instance {options.Name}");
                    break;
                case "notify_stop":
                    stop = context.NotifyScript(item, $"vrrp_instance {options.Name}");
                    break;
                case "notify":
                    generic = context.NotifyScript(item, $"vrrp_instance {options.Name}");
                    break;
                default:
                    if (!ImportGarp(item, keyword, ref garp, context))
                    {
                        context.NotSupported(item, $"vrrp_instance {options.Name}");
                    }

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

        if (options.AuthHmac is not null && options.AuthType != VrrpAuthType.None)
        {
            // keepalived drops the legacy block when both are there, with an error in its log; so do we, as a warning.
            context.Warning(setAt[nameof(options.AuthType)], $"vrrp_instance {options.Name}: auth_hmac and authentication exclude each other; the authentication block is dropped (as keepalived does)");
            options.AuthType = VrrpAuthType.None;
            options.AuthPassword = null;
        }

        foreach (string error in options.Validate())
        {
            string field = error[..Math.Max(0, error.IndexOf(':', StringComparison.Ordinal))];
            ConfigLocation location = setAt.TryGetValue(field, out ConfigLocation at) || setAt.TryGetValue(field.Split('.')[0], out at) ? at : statement.Location;
            context.Error(location, $"vrrp_instance {options.Name}: {KeepalivedName(field)}: {error[(error.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()}");
        }

        if (trackSource is not null && options.UnicastSource is not null)
        {
            // keepalived track_src_ip: FAULT while the source address is missing from the interface.
            string key = $"source:{options.Name}";
            SourceAddressTrackerOptions source = new() { Name = key, Address = options.UnicastSource, InterfaceName = interfaceName };
            definitions[key] = new TrackerDefinition(key, "source", source, 0, false, 1, 1, false, trackSource.Location) { Used = true };
            options.Trackers.Add(new VrrpTrackerOptions(key));
        }

        if (options.Peers.Count == 0 && !options.FaultWithoutPeers)
        {
            context.Warning(statement.Location, $"vrrp_instance {options.Name} has no unicast_peer: keepalived would fall back to multicast (deprecated), which this version does not do; the instance runs with no peer and, hearing nobody, becomes MASTER. Add 'unicast_fault_no_peer' to hold it in FAULT instead, as keepalived then does");
        }

        foreach (KeepalivedLocalAddress local in localAddresses.Where(a => a.Device is null && interfaceName is null))
        {
            context.Error(local.Location, $"vrrp_instance {options.Name}: {local.Address} needs an interface to live on: give the instance an 'interface' or the address a 'dev'");
        }

        return new KeepalivedInstance(options, interfaceName, new NotifyScripts(master, backup, fault, stop, generic) { MasterRxLowerPriority = lowerPriority }, statement.Location)
        {
            LocalAddresses = [.. localAddresses],
            Garp = garp,
        };
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

    /// <summary>keepalived's boolean keywords: bare means on, or an explicit true/false, on/off, yes/no.</summary>
    private static bool Flag(ConfigStatement item, Context context)
    {
        if (item.Arguments.Length == 0)
        {
            return true;
        }

        switch (context.Single(item))
        {
            case "true" or "on" or "yes":
                return true;
            case "false" or "off" or "no":
                return false;
            case { } other:
                context.Error(item.Arguments[0].Location, $"{item.Keyword.Text} takes nothing or true/false; got '{other}'");
                return true;
            default:
                return true;
        }
    }

    private sealed class InstanceDefaults
    {
        public bool CheckUnicastSource { get; set; }

        public bool AnswerLowerPriority { get; set; } = true;

        public bool AnnounceOnHigherPriority { get; set; }

        public bool NotifyPriorityChanges { get; set; }
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
        _ when field.StartsWith("AuthHmac.Keys[", StringComparison.Ordinal) => "auth_hmac: key",
        "AuthHmac.ActiveKey" => "auth_hmac: active_key",
        "AuthHmac.TimeWindow" => "auth_hmac: time_window",
        _ when field.StartsWith(nameof(VirtualRouterOptions.AuthHmac), StringComparison.Ordinal) => "auth_hmac",
        nameof(VirtualRouterOptions.Version) => "version",
        nameof(VirtualRouterOptions.ChecksumMode) => "old_unicast_checksum",
        nameof(VirtualRouterOptions.Trackers) => "track_*",
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

    /// <summary>keepalived 2.4's <c>auth_hmac { key ID VALUE; active_key ID; anti_replay time|monotonic; time_window S; mode M }</c>.</summary>
    private static void ImportAuthHmac(ConfigStatement block, VirtualRouterOptions options, Context context, Dictionary<string, ConfigLocation> setAt)
    {
        if (!context.IsBlock(block))
        {
            return;
        }

        VrrpHmacOptions hmac = options.AuthHmac ?? new VrrpHmacOptions();
        options.AuthHmac = hmac;
        setAt[nameof(options.AuthHmac)] = block.Location;
        foreach (ConfigStatement item in block.Children)
        {
            switch (item.Keyword.Text)
            {
                case "key":
                    if (item.Arguments.Length != 2 || item.IsBlock)
                    {
                        context.Error(item.Location, "key takes an id and a value: key ID hex:...|file:PATH|TEXT");
                        break;
                    }

                    if (!int.TryParse(item.Arguments[0].Text, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id is < 1 or > 255)
                    {
                        context.Error(item.Arguments[0].Location, $"auth_hmac key id is a whole number 1..255; got '{item.Arguments[0].Text}'");
                        break;
                    }

                    string value = item.Arguments[1].Text;
                    setAt[$"{nameof(options.AuthHmac)}.{nameof(hmac.Keys)}[{hmac.Keys.Count}].{nameof(VrrpHmacKeyOptions.Id)}"] = item.Arguments[0].Location;
                    setAt[$"{nameof(options.AuthHmac)}.{nameof(hmac.Keys)}[{hmac.Keys.Count}].{nameof(VrrpHmacKeyOptions.Key)}"] = item.Arguments[1].Location;
                    hmac.Keys.Add(new VrrpHmacKeyOptions { Id = id, Key = value });
                    if (value.StartsWith("file:", StringComparison.Ordinal))
                    {
                        WarnIfKeyFileIsReadable(value[5..], item.Arguments[1].Location, context);
                    }

                    break;
                case "active_key":
                    if (context.Int(item, 1, 255) is int active)
                    {
                        hmac.ActiveKey = active;
                        setAt[$"{nameof(options.AuthHmac)}.{nameof(hmac.ActiveKey)}"] = item.Location;
                    }

                    break;
                case "anti_replay":
                    switch (context.Single(item))
                    {
                        case "time":
                            hmac.AntiReplay = VrrpHmacAntiReplay.Time;
                            break;
                        case "monotonic":
                            hmac.AntiReplay = VrrpHmacAntiReplay.Monotonic;
                            break;
                        case string other:
                            context.Error(item.Arguments[0].Location, $"auth_hmac anti_replay is time or monotonic; got '{other}'");
                            break;
                    }

                    break;
                case "time_window":
                    if (context.Int(item, 1, 300) is int window)
                    {
                        hmac.TimeWindow = TimeSpan.FromSeconds(window);
                        setAt[$"{nameof(options.AuthHmac)}.{nameof(hmac.TimeWindow)}"] = item.Location;
                    }

                    break;
                case "mode":
                    switch (context.Single(item))
                    {
                        case "enforce":
                            hmac.Mode = VrrpHmacMode.Enforce;
                            break;
                        case "permissive":
                            hmac.Mode = VrrpHmacMode.Permissive;
                            break;
                        case "receive-only":
                            hmac.Mode = VrrpHmacMode.ReceiveOnly;
                            break;
                        case string other:
                            context.Error(item.Arguments[0].Location, $"auth_hmac mode is enforce, permissive or receive-only; got '{other}'");
                            break;
                    }

                    break;
                default:
                    context.NotSupported(item, "auth_hmac");
                    break;
            }
        }
    }

    /// <summary>keepalived warns when a key file may be read by its group or others; so do we (Unix only).</summary>
    private static void WarnIfKeyFileIsReadable(string path, ConfigLocation location, Context context)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return;
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
        {
            context.Warning(location, $"the auth_hmac key file {path} may be read by {((mode & UnixFileMode.OtherRead) != 0 ? "everyone" : "its group")} (mode {System.Convert.ToString((int)mode & 0x1FF, 8)}): chmod 600 it");
        }
    }

    private static void ImportVirtualAddresses(ConfigStatement block, VirtualRouterOptions options, List<KeepalivedLocalAddress> local, bool excluded, Context context)
    {
        if (!context.IsBlock(block))
        {
            return;
        }

        foreach (ConfigStatement entry in block.Children)
        {
            string text = entry.Keyword.Text;
            string addressText = text.Split('/')[0];
            if (!TryParseAddress(addressText, out IPAddress? address) || !LocalVirtualAddress.TryParse(text, out LocalVirtualAddress? parsed))
            {
                context.Error(entry.Location, $"{block.Keyword.Text}: '{text}' is not an address[/prefix]");
                continue;
            }

            string? device = null;
            string? label = null;
            bool ok = true;
            for (int i = 0; i < entry.Arguments.Length; i++)
            {
                string option = entry.Arguments[i].Text;
                if (option is "dev" or "label" && i + 1 < entry.Arguments.Length)
                {
                    if (option == "dev")
                    {
                        device = entry.Arguments[++i].Text;
                    }
                    else
                    {
                        label = entry.Arguments[++i].Text;
                    }
                }
                else
                {
                    context.NotSupported(entry.Arguments[i], block.Keyword.Text, $"address option '{option}'");
                    ok = false;
                    break;
                }
            }

            if (!ok)
            {
                continue;
            }

            if (!excluded)
            {
                options.VirtualAddresses.Add(address);
            }

            local.Add(new KeepalivedLocalAddress(parsed, device, label, excluded, entry.Location));
        }
    }

    private static KeepalivedNotifyFifo? ImportFifo(ConfigStatement item, Context context)
    {
        if (item.Arguments.Length is 0 or > 3 || item.IsBlock)
        {
            context.Error(item.Location, $"{item.Keyword.Text} takes a FIFO path, then optionally a user and a group");
            return null;
        }

        string path = item.Arguments[0].Text;
        if (!Path.IsPathFullyQualified(path))
        {
            context.Error(item.Arguments[0].Location, $"{item.Keyword.Text}: the FIFO needs an absolute path; got '{path}'");
            return null;
        }

        ScriptUser? owner = item.Arguments.Length > 1 ? context.User(item, 1) : null;
        return new KeepalivedNotifyFifo(item.Keyword.Text, path, item.Location) { Owner = owner };
    }

    private static bool ImportGarp(ConfigStatement item, string keyword, ref GarpSettings garp, Context context)
    {
        switch (keyword)
        {
            case "garp_master_delay":
                if (context.Int(item, 0, 1000) is int delay)
                {
                    garp = garp with { MasterDelay = TimeSpan.FromSeconds(delay) };
                }

                return true;
            case "garp_master_repeat":
                if (context.Int(item, 1, 255) is int repeat)
                {
                    garp = garp with { MasterRepeat = repeat };
                }

                return true;
            case "garp_master_refresh":
                if (context.Int(item, 0, 86400) is int refresh)
                {
                    garp = garp with { MasterRefresh = TimeSpan.FromSeconds(refresh) };
                }

                return true;
            case "garp_master_refresh_repeat":
                if (context.Int(item, 1, 255) is int refreshRepeat)
                {
                    garp = garp with { MasterRefreshRepeat = refreshRepeat };
                }

                return true;
            case "garp_lower_prio_delay":
                if (context.Int(item, 0, 1000) is int lowerDelay)
                {
                    garp = garp with { LowerPriorityDelay = TimeSpan.FromSeconds(lowerDelay) };
                }

                return true;
            case "garp_lower_prio_repeat":
                if (context.Int(item, 1, 255) is int lowerRepeat)
                {
                    garp = garp with { LowerPriorityRepeat = lowerRepeat };
                }

                return true;
            default:
                return false;
        }
    }

    private sealed class TrackerDefinition(string key, string kind, TrackerOptions options, int weight, bool reverse, int rise, int fall, bool initFail, ConfigLocation location)
    {
        public string Key { get; } = key;

        public string Kind { get; } = kind;

        public TrackerOptions Options { get; } = options;

        public int Weight { get; } = weight;

        public bool Reverse { get; } = reverse;

        public int Rise { get; } = rise;

        public int Fall { get; } = fall;

        public bool InitFail { get; } = initFail;

        public ConfigLocation Location { get; } = location;

        public bool Used { get; set; }
    }

    private static TrackerDefinition? ImportTrackerDefinition(ConfigStatement statement, Context context)
    {
        if (statement.Arguments.Length != 1 || !context.IsBlock(statement))
        {
            context.Error(statement.Location, $"{statement.Keyword.Text} takes one name and a block");
            return null;
        }

        string name = statement.Arguments[0].Text;
        string kind = statement.Keyword.Text switch { "vrrp_script" => "script", "vrrp_track_process" => "process", _ => "file" };
        int maxWeight = kind == "script" ? 253 : 254;
        int weight = 0, rise = 1, fall = 1;
        bool reverse = false, initFail = false;
        ScriptTrackerOptions script = new();
        ProcessTrackerOptions process = new();
        FileTrackerOptions file = new();
        ScriptUser? user = null;
        ConfigStatement? scriptUserItem = null;
        TrackerOptions options = kind switch { "script" => script, "process" => process, _ => file };
        options.Name = $"{kind}:{name}";
        bool hasTarget = false;
        foreach (ConfigStatement item in statement.Children)
        {
            switch ((kind, item.Keyword.Text))
            {
                case (_, "weight"):
                    if (ParseWeight(item, item.Arguments, 0, maxWeight, context) is (int w, bool r))
                    {
                        weight = w;
                        reverse = r;
                    }

                    break;
                case ("script", "script"):
                    if (context.Command(item) is { IsEmpty: false } argv)
                    {
                        script.Arguments = [.. argv];
                        hasTarget = true;
                    }

                    break;
                case ("script", "interval"):
                    if (context.Decimal(item, 0.001m, 86400m) is decimal interval)
                    {
                        script.Interval = TimeSpan.FromMilliseconds((double)(interval * 1000m));
                    }

                    break;
                case ("script", "timeout"):
                    if (context.Decimal(item, 0.001m, 86400m) is decimal timeout)
                    {
                        script.Timeout = TimeSpan.FromMilliseconds((double)(timeout * 1000m));
                    }

                    break;
                case ("script", "rise"):
                    rise = context.Int(item, 1, 1_000_000) ?? rise;
                    break;
                case ("script", "fall"):
                    fall = context.Int(item, 1, 1_000_000) ?? fall;
                    break;
                case ("script", "init_fail"):
                    context.NoArguments(item);
                    initFail = true;
                    break;
                case ("script", "user"):
                    if (item.Arguments.Length == 0 || item.IsBlock)
                    {
                        context.Error(item.Location, "user takes a user and optionally a group");
                    }
                    else
                    {
                        scriptUserItem = item;
                        user = context.User(item, 0);
                    }

                    break;
                case ("process", "process"):
                    if (context.Single(item) is { } processName)
                    {
                        process.ProcessName = processName;
                        hasTarget = true;
                    }

                    break;
                case ("process", "quorum"):
                    process.Quorum = context.Int(item, 1, 65535) ?? process.Quorum;
                    break;
                case ("process", "quorum_max"):
                    process.QuorumMax = context.Int(item, 1, 65535) ?? process.QuorumMax;
                    break;
                case ("process", "full_command"):
                    context.NoArguments(item);
                    process.MatchFullCommandLine = true;
                    break;
                case ("file", "file"):
                    if (context.Single(item) is { } path)
                    {
                        file.Path = path;
                        hasTarget = true;
                    }

                    break;
                case ("file", "init_file"):
                    foreach (ConfigWord word in item.Arguments)
                    {
                        if (word.Text == "overwrite")
                        {
                            file.OverwriteInitialValue = true;
                        }
                        else if (long.TryParse(word.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
                        {
                            file.InitialValue = value;
                        }
                        else
                        {
                            context.Error(word.Location, $"init_file takes [VALUE] [overwrite]; got '{word.Text}'");
                        }
                    }

                    file.InitialValue ??= 0;
                    break;
                default:
                    context.NotSupported(item, $"{statement.Keyword.Text} {name}");
                    break;
            }
        }

        if (kind == "script" && hasTarget)
        {
            ConfigLocation at = scriptUserItem?.Location ?? statement.Location;
            ImmutableArray<string> runs = context.Scripts.Apply([.. script.Arguments], user, $"vrrp_script {name}", m => context.Error(at, m), m => context.Warning(at, m));
            if (!runs.IsEmpty)
            {
                script.Arguments = [.. runs];
            }
        }

        if (!hasTarget)
        {
            context.Error(statement.Location, $"{statement.Keyword.Text} {name} needs {(kind == "script" ? "a 'script'" : kind == "process" ? "a 'process'" : "a 'file'")}");
            return null;
        }

        foreach (string problem in options.Validate())
        {
            context.Error(statement.Location, $"{statement.Keyword.Text} {name}: {problem}");
        }

        return new TrackerDefinition($"{kind}:{name}", kind, options, weight, reverse, rise, fall, initFail, statement.Location);
    }

    private static (int Weight, bool Reverse)? ParseWeight(ConfigStatement item, ImmutableArray<ConfigWord> words, int start, int max, Context context)
    {
        // "weight N [reverse]" starting at words[start] (the word "weight" itself for an instance's track line;
        // for a definition's own "weight" statement, words are its arguments).
        int i = start;
        if (item.Keyword.Text != "weight")
        {
            i++; // skip the word "weight"
        }

        if (i >= words.Length || !int.TryParse(words[i].Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int weight) || weight < -max || weight > max)
        {
            context.Error(i < words.Length ? words[i].Location : item.Location, $"weight is a whole number -{max}..{max}");
            return null;
        }

        bool reverse = false;
        if (i + 1 < words.Length)
        {
            if (words[i + 1].Text == "reverse")
            {
                reverse = true;
            }
            else
            {
                context.Error(words[i + 1].Location, $"after the weight only 'reverse' may follow; got '{words[i + 1].Text}'");
                return null;
            }
        }

        return (weight, reverse);
    }

    private static void ImportTracks(ConfigStatement block, VirtualRouterOptions options, Dictionary<string, TrackerDefinition> definitions, Context context)
    {
        if (!context.IsBlock(block))
        {
            return;
        }

        string kind = block.Keyword.Text["track_".Length..];
        foreach (ConfigStatement entry in block.Children)
        {
            string name = entry.Keyword.Text;
            string key = $"{kind}:{name}";
            TrackerDefinition? definition;
            if (kind == "interface")
            {
                if (!definitions.TryGetValue(key, out definition))
                {
                    definition = new TrackerDefinition(key, kind, new InterfaceTrackerOptions { Name = key, InterfaceName = name }, 0, false, 1, 1, false, entry.Location);
                    definitions[key] = definition;
                }
            }
            else if (!definitions.TryGetValue(key, out definition))
            {
                string definer = kind switch { "script" => "vrrp_script", "process" => "vrrp_track_process", _ => "vrrp_track_file" };
                context.Error(entry.Location, $"{block.Keyword.Text}: no {definer} named '{name}'");
                continue;
            }

            int weight = definition.Weight;
            bool reverse = definition.Reverse;
            if (entry.Arguments.Length > 0)
            {
                if (entry.Arguments[0].Text != "weight")
                {
                    context.Error(entry.Arguments[0].Location, $"{block.Keyword.Text}: after '{name}' only 'weight N [reverse]' may follow");
                    continue;
                }

                if (ParseWeight(entry, entry.Arguments, 0, kind == "script" ? 253 : 254, context) is not (int w, bool r))
                {
                    continue;
                }

                weight = w;
                reverse = r;
            }

            if (options.Trackers.Any(t => t.Name == key))
            {
                context.Error(entry.Location, $"{block.Keyword.Text}: '{name}' is tracked twice");
                continue;
            }

            definition.Used = true;
            options.Trackers.Add(new VrrpTrackerOptions(key, weight) { Reverse = reverse, Rise = definition.Rise, Fall = definition.Fall, InitiallyFailed = definition.InitFail });
        }
    }

    private static ImmutableArray<KeepalivedSyncGroup> ImportSyncGroups(List<ConfigStatement> statements, IReadOnlyList<KeepalivedInstance> instances,
        Dictionary<string, TrackerDefinition> definitions, Context context)
    {
        var groups = ImmutableArray.CreateBuilder<KeepalivedSyncGroup>();
        Dictionary<string, string> memberOf = new(StringComparer.Ordinal);
        foreach (ConfigStatement statement in statements)
        {
            if (statement.Arguments.Length != 1 || !context.IsBlock(statement))
            {
                context.Error(statement.Location, "vrrp_sync_group takes one name and a block");
                continue;
            }

            string name = statement.Arguments[0].Text;
            List<string> members = [];
            ImmutableArray<string> master = [], backup = [], fault = [], stop = [], generic = [];
            bool trackingWeight = false;
            VirtualRouterOptions tracked = new() { Name = name };
            List<ConfigStatement> trackBlocks = [];
            foreach (ConfigStatement item in statement.Children)
            {
                switch (item.Keyword.Text)
                {
                    case "group":
                        if (context.IsBlock(item))
                        {
                            ImportMembers(item, name, members, memberOf, instances, context);
                        }

                        break;
                    case "notify_master":
                        master = context.NotifyScript(item, $"vrrp_sync_group {name}");
                        break;
                    case "notify_backup":
                        backup = context.NotifyScript(item, $"vrrp_sync_group {name}");
                        break;
                    case "notify_fault":
                        fault = context.NotifyScript(item, $"vrrp_sync_group {name}");
                        break;
                    case "notify_stop":
                        stop = context.NotifyScript(item, $"vrrp_sync_group {name}");
                        break;
                    case "notify":
                        generic = context.NotifyScript(item, $"vrrp_sync_group {name}");
                        break;
                    case "sync_group_tracking_weight":
                        context.NoArguments(item);
                        trackingWeight = true;
                        break;
                    case "notify_priority_changes":
                        context.PriorityChanges["group:" + name] = Flag(item, context);
                        break;
                    case "track_script" or "track_process" or "track_file" or "track_interface":
                        ImportTracks(item, tracked, definitions, context);
                        trackBlocks.Add(item);
                        break;
                    default:
                        context.NotSupported(item, $"vrrp_sync_group {name}");
                        break;
                }
            }

            if (members.Count < 2)
            {
                context.Warning(statement.Location, $"vrrp_sync_group {name} has {members.Count} instance(s); a sync group needs two to matter");
            }

            List<VirtualRouterOptions> memberOptions = [.. members.Select(m => instances.First(i => i.Options.Name == m).Options)];
            if (!trackingWeight)
            {
                DropWeightedMemberTrackers(statement, name, memberOptions, context);
            }

            AddGroupTrackers(statement, name, tracked, memberOptions, context);
            groups.Add(new KeepalivedSyncGroup(name, [.. members], statement.Location)
            {
                Notify = new NotifyScripts(master, backup, fault, stop, generic),
                TrackingWeight = trackingWeight,
            });
        }

        return groups.ToImmutable();
    }

    private static void ImportMembers(ConfigStatement block, string name, List<string> members, Dictionary<string, string> memberOf, IReadOnlyList<KeepalivedInstance> instances, Context context)
    {
        foreach (ConfigStatement member in block.Children)
        {
            foreach (ConfigWord word in new[] { member.Keyword }.Concat(member.Arguments))
            {
                if (!instances.Any(i => i.Options.Name == word.Text))
                {
                    context.Error(word.Location, $"vrrp_sync_group {name}: no vrrp_instance named '{word.Text}'");
                }
                else if (!memberOf.TryAdd(word.Text, name))
                {
                    context.Error(word.Location, $"vrrp_sync_group {name}: '{word.Text}' is already in sync group '{memberOf[word.Text]}'");
                }
                else
                {
                    members.Add(word.Text);
                }
            }
        }
    }

    /// <summary>
    /// keepalived ignores the weighted trackers of a sync group's members unless the group sets
    /// <c>sync_group_tracking_weight</c>: weighted scripts, processes and files are dropped, weighted interfaces
    /// tracked with weight 0 (FAULT while down). Each with a warning, as keepalived reports it.
    /// </summary>
    private static void DropWeightedMemberTrackers(ConfigStatement statement, string name, List<VirtualRouterOptions> members, Context context)
    {
        foreach (VirtualRouterOptions member in members)
        {
            foreach (VrrpTrackerOptions tracker in member.Trackers.Where(t => t.Weight != 0).ToList())
            {
                if (tracker.Name.StartsWith("interface:", StringComparison.Ordinal))
                {
                    context.Warning(statement.Location, $"vrrp_instance {member.Name} is in sync group {name}: tracked '{tracker.Name}' uses weight 0 instead of {tracker.Weight} (FAULT while down), as keepalived does without sync_group_tracking_weight");
                    tracker.Weight = 0;
                }
                else
                {
                    context.Warning(statement.Location, $"vrrp_instance {member.Name} is in sync group {name}: tracked '{tracker.Name}' with weight {tracker.Weight} is ignored, as keepalived does without sync_group_tracking_weight");
                    member.Trackers.Remove(tracker);
                }
            }
        }
    }

    /// <summary>A sync group's own trackers apply to every member (weights cleared when a member owns the address, as keepalived does).</summary>
    private static void AddGroupTrackers(ConfigStatement statement, string name, VirtualRouterOptions tracked, List<VirtualRouterOptions> members, Context context)
    {
        foreach (VrrpTrackerOptions tracker in tracked.Trackers)
        {
            int weight = tracker.Weight;
            if (weight != 0 && members.Any(m => m.Priority == 255))
            {
                context.Warning(statement.Location, $"vrrp_sync_group {name}: tracked '{tracker.Name}' uses weight 0 instead of {weight}: a member owns the address (priority 255), as keepalived does");
                weight = 0;
            }

            foreach (VirtualRouterOptions member in members)
            {
                if (member.Trackers.Any(t => t.Name == tracker.Name))
                {
                    context.Error(statement.Location, $"vrrp_sync_group {name}: '{tracker.Name}' is tracked by the group and by its member {member.Name}; track it in one place");
                    continue;
                }

                member.Trackers.Add(new VrrpTrackerOptions(tracker.Name, weight) { Reverse = tracker.Reverse, Rise = tracker.Rise, Fall = tracker.Fall, InitiallyFailed = tracker.InitiallyFailed });
            }
        }
    }

    private sealed class Context
    {
        public List<ConfigDiagnostic> Errors { get; } = [];

        public List<ConfigDiagnostic> Unsupported { get; } = [];

        public List<ConfigDiagnostic> Warnings { get; } = [];

        /// <summary>Who runs the scripts; set once global_defs is read.</summary>
        public ScriptPolicy Scripts { get; set; } = new(null, false);

        /// <summary>A notify script (<c>SCRIPT [username [groupname]]</c>), as the argv to start under its user, after the security checks.</summary>
        public ImmutableArray<string> NotifyScript(ConfigStatement item, string owner)
        {
            (ImmutableArray<string> argv, ScriptUser? user) = CommandAndUser(item);
            return Scripts.Apply(argv, user, $"{owner} {item.Keyword.Text}", m => Error(item.Location, m), m => Warning(item.Location, m));
        }

        /// <summary>Explicit notify_priority_changes settings: by instance name, and by "group:NAME".</summary>
        public Dictionary<string, bool> PriorityChanges { get; } = new(StringComparer.Ordinal);

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

        /// <summary>keepalived's <c>username [[:]groupname]</c> starting at argument <paramref name="index"/>, resolved now.</summary>
        public ScriptUser? User(ConfigStatement statement, int index)
        {
            ConfigWord user = statement.Arguments[index];
            string? group = statement.Arguments.Length > index + 1 ? statement.Arguments[index + 1].Text : null;
            if (statement.Arguments.Length > index + 2)
            {
                Error(statement.Arguments[index + 2].Location, $"{statement.Keyword.Text}: after the user only a group may follow");
                return null;
            }

            if (!ScriptUser.TryResolve(user.Text, group, out ScriptUser? resolved, out string? problem))
            {
                Error(user.Location, $"{statement.Keyword.Text}: {problem}");
                return null;
            }

            return resolved;
        }

        /// <summary>keepalived's <c>SCRIPT|"SCRIPT ARGS" [username [[:]groupname]]</c>: the first word is the command line, the rest the user.</summary>
        public (ImmutableArray<string> Argv, ScriptUser? User) CommandAndUser(ConfigStatement statement)
        {
            if (statement.Arguments.Length == 0 || statement.IsBlock)
            {
                Error(statement.Location, $"{statement.Keyword.Text} takes a script command line");
                return ([], null);
            }

            if (!Vrrp.Tracking.KeepalivedCommandLine.TrySplit(statement.Arguments[0].Text, out string[] words, out string? problem) || words.Length == 0)
            {
                Error(statement.Arguments[0].Location, $"{statement.Keyword.Text}: {problem ?? "empty command"}");
                return ([], null);
            }

            return ([.. words], statement.Arguments.Length > 1 ? User(statement, 1) : null);
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
