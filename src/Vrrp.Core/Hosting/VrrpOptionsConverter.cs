using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Vrrp.Actions;
using Vrrp.Configuration;
using Vrrp.Packets;
using Vrrp.Routing;
using Vrrp.Tracking;

namespace Vrrp.Hosting;

/// <summary>
/// Converts the JSON / appsettings form (<see cref="VrrpOptions"/>) into the runtime model a keepalived.conf imports
/// to (<see cref="KeepalivedConfiguration"/>), so both forms run the same way. Every problem names its field
/// (<c>Instances[0].Priority</c>) and, when a locator is given, where it stands in the file.
/// </summary>
internal static partial class VrrpOptionsConverter
{
    /// <summary>One problem: the field (<c>Instances[0].Peers[1].Address</c>), the message starting with it, and where.</summary>
    public sealed record Error(string Field, string Message, ConfigLocation Location);

    /// <summary>The converted configuration (null when there are errors) and the errors.</summary>
    public sealed record Result(KeepalivedConfiguration? Configuration, IReadOnlyList<Error> Errors);

    /// <summary>Converts <paramref name="options"/>.</summary>
    /// <param name="options">The options.</param>
    /// <param name="source">The file name for locations.</param>
    /// <param name="locate">Maps a configuration path (<c>Instances:0:Priority</c>) to its place in the file; the nearest existing parent is used.</param>
    public static Result Convert(VrrpOptions options, string source, Func<string, ConfigLocation?>? locate)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<Error> errors = [];
        ConfigLocation Where(string field)
        {
            string path = FieldToPath(field);
            while (true)
            {
                if (locate?.Invoke(path) is { } location)
                {
                    return location;
                }

                int cut = path.LastIndexOf(':');
                if (cut < 0)
                {
                    return new ConfigLocation(source, 1, 1);
                }

                path = path[..cut];
            }
        }

        void Add(string field, string problem) => errors.Add(new Error(field, $"{field}: {problem}", Where(field)));

        if (options.Transport is not (VrrpTransportKind.Raw or VrrpTransportKind.InMemory))
        {
            Add(nameof(VrrpOptions.Transport), $"must be Raw or InMemory; got {(int)options.Transport}.");
        }

        foreach (string problem in options.ToPipelineOptions().Validate())
        {
            string field = problem[..problem.IndexOf(':', StringComparison.Ordinal)];
            errors.Add(new Error(field, problem, Where(field)));
        }

        if (options.StartupDelay < TimeSpan.Zero || options.StartupDelay > TimeSpan.FromDays(1))
        {
            Add(nameof(VrrpOptions.StartupDelay), $"must be 0..1 day; got {options.StartupDelay}.");
        }

        if (!string.IsNullOrWhiteSpace(options.NotifyFifo) && !Path.IsPathFullyQualified(options.NotifyFifo))
        {
            Add(nameof(VrrpOptions.NotifyFifo), $"an absolute path is required; got '{options.NotifyFifo}'.");
        }

        if (!string.IsNullOrWhiteSpace(options.NotifyFifoScript) && string.IsNullOrWhiteSpace(options.NotifyFifo))
        {
            Add(nameof(VrrpOptions.NotifyFifoScript), $"needs {nameof(VrrpOptions.NotifyFifo)} (the FIFO it reads).");
        }

        foreach ((string field, TimeSpan pace) in new[] { (nameof(VrrpOptions.GarpInterval), options.GarpInterval), (nameof(VrrpOptions.GnaInterval), options.GnaInterval) })
        {
            if (pace < TimeSpan.Zero || pace > LocalAddressActionOptions.MaxAnnouncementInterval)
            {
                Add(field, $"must be 0..4294.967295 s (2^32 - 1 µs); got {pace}.");
            }
        }

        if (options.StateFileInterval <= TimeSpan.Zero)
        {
            Add(nameof(VrrpOptions.StateFileInterval), $"must be positive; got {options.StateFileInterval}.");
        }

        for (int i = 0; i < (options.ScriptEnvironment?.Count ?? 0); i++)
        {
            if (!ChildProcess.IsValidEnvironmentPattern(options.ScriptEnvironment![i]))
            {
                Add($"{nameof(VrrpOptions.ScriptEnvironment)}[{i}]", $"a variable name, or a prefix ending in '*'; got '{options.ScriptEnvironment[i]}'.");
            }
        }

        // Who runs the scripts (keepalived script_user / enable_script_security).
        ScriptPolicy policy = new(ParseUser(options.ScriptUser, nameof(VrrpOptions.ScriptUser), Add), options.EnableScriptSecurity);

        // Trackers: name → definition (runtime name kind:name).
        Dictionary<string, (VrrpTrackerDefinitionOptions Definition, TrackerOptions Options, int Index)> trackers = new(StringComparer.Ordinal);
        IList<VrrpTrackerDefinitionOptions> trackerList = options.Trackers ?? [];
        for (int i = 0; i < trackerList.Count; i++)
        {
            string prefix = $"{nameof(VrrpOptions.Trackers)}[{i}]";
            VrrpTrackerDefinitionOptions? definition = trackerList[i];
            if (definition is null || string.IsNullOrWhiteSpace(definition.Name))
            {
                Add($"{prefix}.{nameof(VrrpTrackerDefinitionOptions.Name)}", "required.");
                continue;
            }

            if (CreateTracker(definition, prefix, policy, Add) is not { } tracker)
            {
                continue;
            }

            foreach (string problem in tracker.Validate())
            {
                string field = problem[..Math.Max(0, problem.IndexOf(':', StringComparison.Ordinal))];
                Add($"{prefix}.{(field.Length == 0 ? nameof(VrrpTrackerDefinitionOptions.Name) : field)}", problem[(problem.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
            }

            if (!trackers.TryAdd(definition.Name, (definition, tracker, i)))
            {
                Add($"{prefix}.{nameof(VrrpTrackerDefinitionOptions.Name)}", $"'{definition.Name}' is defined twice.");
            }
        }

        HashSet<string> usedTrackers = new(StringComparer.Ordinal);
        List<KeepalivedTracker> sourceTrackers = [];
        var instances = ImmutableArray.CreateBuilder<KeepalivedInstance>();
        IList<VrrpInstanceOptions> instanceList = options.Instances ?? [];
        if (instanceList.Count == 0)
        {
            Add(nameof(VrrpOptions.Instances), "at least one instance is needed.");
        }

        for (int i = 0; i < instanceList.Count; i++)
        {
            string prefix = $"{nameof(VrrpOptions.Instances)}[{i}]";
            if (instanceList[i] is not { } instance)
            {
                Add(prefix, "must not be null.");
                continue;
            }

            if (ConvertInstance(instance, prefix, trackers, usedTrackers, sourceTrackers, policy, Add, Where) is { } converted)
            {
                instances.Add(converted with { Garp = converted.Garp with { GarpInterval = options.GarpInterval, GnaInterval = options.GnaInterval } });
            }
        }

        foreach (IGrouping<string, KeepalivedInstance> duplicate in instances.GroupBy(i => i.Options.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            int index = instanceList.IndexOf(instanceList.Last(i => i?.Name == duplicate.Key));
            Add($"{nameof(VrrpOptions.Instances)}[{index}].{nameof(VrrpInstanceOptions.Name)}", $"'{duplicate.Key}' is used by two instances.");
        }

        foreach (IGrouping<(System.Net.Sockets.AddressFamily, int, IPAddress), KeepalivedInstance> duplicate in instances
            .GroupBy(i => (i.Options.AddressFamily, i.Options.VirtualRouterId, i.Options.UnicastSource!)).Where(g => g.Count() > 1))
        {
            int index = instanceList.IndexOf(instanceList.Last(i => i?.Name == duplicate.Last().Options.Name));
            Add($"{nameof(VrrpOptions.Instances)}[{index}].{nameof(VrrpInstanceOptions.VirtualRouterId)}",
                $"VRID {duplicate.Key.Item2} is used by instance '{duplicate.First().Options.Name}' with the same unicast source too.");
        }

        var groups = ImmutableArray.CreateBuilder<KeepalivedSyncGroup>();
        IList<VrrpSyncGroupOptions> groupList = options.SyncGroups ?? [];
        HashSet<string> grouped = new(StringComparer.Ordinal);
        for (int g = 0; g < groupList.Count; g++)
        {
            string prefix = $"{nameof(VrrpOptions.SyncGroups)}[{g}]";
            VrrpSyncGroupOptions? group = groupList[g];
            if (group is null || string.IsNullOrWhiteSpace(group.Name))
            {
                Add($"{prefix}.{nameof(VrrpSyncGroupOptions.Name)}", "required.");
                continue;
            }

            IList<string> members = group.Instances ?? [];
            if (members.Count == 0)
            {
                Add($"{prefix}.{nameof(VrrpSyncGroupOptions.Instances)}", "a sync group needs at least one instance.");
            }

            for (int m = 0; m < members.Count; m++)
            {
                if (!instanceList.Any(i => i?.Name == members[m]))
                {
                    Add($"{prefix}.{nameof(VrrpSyncGroupOptions.Instances)}[{m}]", $"no instance named '{members[m]}'.");
                }
                else if (!grouped.Add(members[m]))
                {
                    Add($"{prefix}.{nameof(VrrpSyncGroupOptions.Instances)}[{m}]", $"'{members[m]}' already belongs to a sync group.");
                }
            }

            List<VirtualRouterOptions> memberOptions = [.. members.Distinct(StringComparer.Ordinal)
                .Select(m => instances.FirstOrDefault(i => i.Options.Name == m)?.Options).OfType<VirtualRouterOptions>()];
            if (!group.TrackingWeight)
            {
                foreach (VirtualRouterOptions member in memberOptions)
                {
                    foreach (VrrpTrackerOptions weighted in member.Trackers.Where(t => t.Weight != 0))
                    {
                        int index = instanceList.IndexOf(instanceList.First(i => i?.Name == member.Name));
                        Add($"{nameof(VrrpOptions.Instances)}[{index}].{nameof(VrrpInstanceOptions.Trackers)}",
                            $"'{weighted.Name}' has weight {weighted.Weight}, but the instance is in sync group '{group.Name}': keepalived ignores a member's weighted trackers unless the group sets {nameof(VrrpSyncGroupOptions.TrackingWeight)} (set it, or use weight 0).");
                    }
                }
            }

            IList<VrrpTrackOptions> groupTracks = group.Trackers ?? [];
            for (int t = 0; t < groupTracks.Count; t++)
            {
                string field = $"{prefix}.{nameof(VrrpSyncGroupOptions.Trackers)}[{t}]";
                if (groupTracks[t] is not { Name: { Length: > 0 } trackName } track)
                {
                    Add($"{field}.{nameof(VrrpTrackOptions.Name)}", "required.");
                    continue;
                }

                if (!trackers.TryGetValue(trackName, out var definition))
                {
                    Add($"{field}.{nameof(VrrpTrackOptions.Name)}", $"no tracker named '{trackName}' in {nameof(VrrpOptions.Trackers)}.");
                    continue;
                }

                usedTrackers.Add(trackName);
                int weight = track.Weight ?? definition.Definition.Weight;
                if (weight != 0 && memberOptions.Any(m => m.Priority == 255))
                {
                    Add($"{field}.{nameof(VrrpTrackOptions.Weight)}", "a member owns the address (priority 255): a sync group's tracker must have weight 0, as keepalived requires.");
                    continue;
                }

                foreach (VirtualRouterOptions member in memberOptions)
                {
                    if (member.Trackers.Any(x => x.Name == definition.Options.Name))
                    {
                        Add(field, $"'{trackName}' is tracked by the group and by its member '{member.Name}'; track it in one place.");
                        continue;
                    }

                    member.Trackers.Add(new VrrpTrackerOptions(definition.Options.Name, weight)
                    {
                        Reverse = track.Reverse ?? definition.Definition.Reverse,
                        Rise = definition.Definition.Rise,
                        Fall = definition.Definition.Fall,
                        InitiallyFailed = definition.Definition.InitiallyFailed,
                    });
                }
            }

            groups.Add(new KeepalivedSyncGroup(group.Name, [.. members], Where(prefix))
            {
                Notify = ToScripts(group.Notify, $"{prefix}.{nameof(VrrpSyncGroupOptions.Notify)}", policy, Add),
                TrackingWeight = group.TrackingWeight,
            });
        }

        if (errors.Count > 0)
        {
            return new Result(null, errors);
        }

        ImmutableArray<KeepalivedTracker> used = [.. trackers.Values
            .Where(t => usedTrackers.Contains(t.Definition.Name))
            .OrderBy(t => t.Index)
            .Select(t => new KeepalivedTracker(t.Options.Name, t.Options, Where($"{nameof(VrrpOptions.Trackers)}[{t.Index}]"))), .. sourceTrackers];
        ImmutableArray<ConfigDiagnostic> warnings = [.. trackers.Values
            .Where(t => !usedTrackers.Contains(t.Definition.Name))
            .OrderBy(t => t.Index)
            .Select(t => new ConfigDiagnostic(Where($"{nameof(VrrpOptions.Trackers)}[{t.Index}]"), $"'{t.Options.Name}' is defined but no instance tracks it"))];
        warnings = [.. warnings, .. instances.Where(i => i.Options.Peers.Count == 0 && !i.Options.FaultWithoutPeers).Select(i => new ConfigDiagnostic(i.Location,
            $"instance '{i.Options.Name}' has no peer: it runs alone and, hearing nobody, becomes MASTER; set {nameof(VrrpInstanceOptions.FaultWithoutPeers)} to hold it in FAULT instead (keepalived unicast_fault_no_peer)"))];
        ScriptUser? fifoUser = null;
        if (!string.IsNullOrWhiteSpace(options.NotifyFifoScript))
        {
            policy.RunAs(Split(options.NotifyFifoScript), null, nameof(VrrpOptions.NotifyFifoScript), m => Add(nameof(VrrpOptions.NotifyFifoScript), m), _ => { }, out fifoUser);
        }

        warnings = [.. warnings, .. policy.Warnings.Select(w => new ConfigDiagnostic(Where(w.What), w.Message))];
        ImmutableArray<KeepalivedNotifyFifo> fifos = string.IsNullOrWhiteSpace(options.NotifyFifo) ? []
            : [new KeepalivedNotifyFifo("vrrp_notify_fifo", options.NotifyFifo, Where(nameof(VrrpOptions.NotifyFifo))) { Script = Split(options.NotifyFifoScript), ScriptUser = fifoUser }];
        return new Result(new KeepalivedConfiguration(null, instances.ToImmutable(), [], warnings)
        {
            Trackers = used,
            SyncGroups = groups.ToImmutable(),
            StartupDelay = options.StartupDelay,
            NotifyFifos = fifos,
            StateFile = string.IsNullOrWhiteSpace(options.StateFile) ? null : options.StateFile,
            ScriptEnvironment = [.. options.ScriptEnvironment ?? []],
        }, errors);
    }

    /// <summary><c>Instances[0].Peers[1].Address</c> → <c>Instances:0:Peers:1:Address</c>.</summary>
    public static string FieldToPath(string field) => IndexPattern().Replace(field, ":$1").Replace('.', ':');

    private static KeepalivedInstance? ConvertInstance(VrrpInstanceOptions instance, string prefix,
        Dictionary<string, (VrrpTrackerDefinitionOptions Definition, TrackerOptions Options, int Index)> trackers,
        HashSet<string> usedTrackers, List<KeepalivedTracker> sourceTrackers, ScriptPolicy policy, Action<string, string> add, Func<string, ConfigLocation> where)
    {
        VirtualRouterOptions options = new()
        {
            Name = instance.Name ?? "",
            VirtualRouterId = instance.VirtualRouterId,
            Version = (VrrpVersion)instance.Version,
            Priority = instance.Priority,
            AdvertisementInterval = instance.AdvertisementInterval,
            InitialState = instance.InitialState,
            Preempt = instance.Preempt,
            PreemptDelay = instance.PreemptDelay,
            AnswerLowerPriorityAdvertisements = instance.AnswerLowerPriorityAdvertisements,
            ChecksumMode = instance.ChecksumMode,
            AuthType = instance.AuthType,
            AuthPassword = instance.AuthPassword,
            AuthHmac = instance.AuthHmac?.Clone(),
            UnicastTimeToLive = instance.UnicastTimeToLive,
            CheckUnicastSource = instance.CheckUnicastSource,
            FaultWithoutPeers = instance.FaultWithoutPeers,
        };

        bool ok = true;
        void Local(string field, string problem)
        {
            ok = false;
            add($"{prefix}.{field}", problem);
        }

        if (!string.IsNullOrWhiteSpace(instance.UnicastSource))
        {
            if (KeepalivedImporter.TryParseAddress(instance.UnicastSource, out IPAddress? source))
            {
                options.UnicastSource = source;
            }
            else
            {
                Local(nameof(VrrpInstanceOptions.UnicastSource), $"'{instance.UnicastSource}' is not an IP address.");
            }
        }

        IList<VrrpPeerOptions> peers = instance.Peers ?? [];
        for (int p = 0; p < peers.Count; p++)
        {
            VrrpPeerOptions? peer = peers[p];
            if (string.IsNullOrWhiteSpace(peer?.Address))
            {
                Local($"{nameof(VrrpInstanceOptions.Peers)}[{p}].{nameof(VrrpPeerOptions.Address)}", "required.");
                continue;
            }

            if (KeepalivedImporter.TryParseAddress(peer.Address, out IPAddress? address))
            {
                options.Peers.Add(new VrrpPeer(address, peer.MinTimeToLive, peer.MaxTimeToLive));
            }
            else
            {
                Local($"{nameof(VrrpInstanceOptions.Peers)}[{p}].{nameof(VrrpPeerOptions.Address)}", $"'{peer.Address}' is not an IP address.");
            }
        }

        var locals = ImmutableArray.CreateBuilder<KeepalivedLocalAddress>();
        IList<string> addresses = instance.VirtualAddresses ?? [];
        for (int a = 0; a < addresses.Count; a++)
        {
            // keepalived's virtual_ipaddress line: ADDRESS[/PREFIX] [dev DEVICE] [label LABEL].
            string[] words = (addresses[a] ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            string? device = null;
            string? label = null;
            bool wordsValid = words.Length is 1 or 3 or 5;
            for (int w = 1; wordsValid && w + 1 < words.Length; w += 2)
            {
                switch (words[w])
                {
                    case "dev" when device is null:
                        device = words[w + 1];
                        break;
                    case "label" when label is null:
                        label = words[w + 1];
                        break;
                    default:
                        wordsValid = false;
                        break;
                }
            }

            if (wordsValid && LocalVirtualAddress.TryParse(words[0], out LocalVirtualAddress? local))
            {
                options.VirtualAddresses.Add(local.Address);
                locals.Add(new KeepalivedLocalAddress(local, device, label, false, where($"{prefix}.{nameof(VrrpInstanceOptions.VirtualAddresses)}[{a}]")));
            }
            else
            {
                Local($"{nameof(VrrpInstanceOptions.VirtualAddresses)}[{a}]", $"'{addresses[a]}' is not ADDRESS[/PREFIX] [dev DEVICE] [label LABEL].");
            }
        }

        IList<VrrpTrackOptions> tracks = instance.Trackers ?? [];
        for (int t = 0; t < tracks.Count; t++)
        {
            VrrpTrackOptions? track = tracks[t];
            if (track is null || string.IsNullOrWhiteSpace(track.Name))
            {
                Local($"{nameof(VrrpInstanceOptions.Trackers)}[{t}].{nameof(VrrpTrackOptions.Name)}", "required.");
                continue;
            }

            if (trackers.TryGetValue(track.Name, out var definition))
            {
                usedTrackers.Add(track.Name);
                options.Trackers.Add(new VrrpTrackerOptions(definition.Options.Name, track.Weight ?? definition.Definition.Weight)
                {
                    Reverse = track.Reverse ?? definition.Definition.Reverse,
                    Rise = definition.Definition.Rise,
                    Fall = definition.Definition.Fall,
                    InitiallyFailed = definition.Definition.InitiallyFailed,
                });
            }
            else
            {
                // A tracker registered in code (builder.AddTracker) under this plain name.
                options.Trackers.Add(new VrrpTrackerOptions(track.Name, track.Weight ?? 0) { Reverse = track.Reverse ?? false });
            }
        }

        foreach (string problem in options.Validate())
        {
            int colon = problem.IndexOf(':', StringComparison.Ordinal);
            string field = problem[..colon];
            Local(field, problem[(colon + 1)..].Trim());
        }

        if (instance.TrackSourceAddress && options.UnicastSource is not null)
        {
            string key = $"source:{options.Name}";
            SourceAddressTrackerOptions source = new() { Name = key, Address = options.UnicastSource, InterfaceName = string.IsNullOrWhiteSpace(instance.Interface) ? null : instance.Interface };
            sourceTrackers.Add(new KeepalivedTracker(key, source, where($"{prefix}.{nameof(VrrpInstanceOptions.TrackSourceAddress)}")));
            options.Trackers.Add(new VrrpTrackerOptions(key));
        }

        NotifyScripts notify = ToScripts(instance.Notify, $"{prefix}.{nameof(VrrpInstanceOptions.Notify)}", policy, add);

        return ok ? new KeepalivedInstance(options, string.IsNullOrWhiteSpace(instance.Interface) ? null : instance.Interface, notify, where(prefix))
        {
            LocalAddresses = locals.ToImmutable(),
            NotifyPriorityChanges = instance.NotifyPriorityChanges,
        }
            : null;
    }

    private static NotifyScripts ToScripts(VrrpNotifyOptions? n, string field, ScriptPolicy policy, Action<string, string> add)
    {
        if (n is null)
        {
            return NotifyScripts.None;
        }

        ScriptUser? user = ParseUser(n.User, $"{field}.{nameof(VrrpNotifyOptions.User)}", add);
        ImmutableArray<string> Run(string? command, string name) =>
            policy.Apply(Split(command), user, $"{field}.{name}", m => add($"{field}.{name}", m), _ => { });
        return new NotifyScripts(Run(n.Master, nameof(n.Master)), Run(n.Backup, nameof(n.Backup)), Run(n.Fault, nameof(n.Fault)), Run(n.Stop, nameof(n.Stop)), Run(n.Generic, nameof(n.Generic)))
        {
            MasterRxLowerPriority = Run(n.MasterRxLowerPriority, nameof(n.MasterRxLowerPriority)),
        };
    }

    /// <summary><c>"user"</c> or <c>"user:group"</c>, resolved now; null when empty or unknown (then with an error).</summary>
    private static ScriptUser? ParseUser(string? text, string field, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        string[] parts = text.Split(':', 2);
        if (!ScriptUser.TryResolve(parts[0], parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null, out ScriptUser? user, out string? problem))
        {
            add(field, $"{problem}.");
            return null;
        }

        return user;
    }

    private static ImmutableArray<string> Split(string? command) => string.IsNullOrWhiteSpace(command) ? [] : KeepalivedImporter.SplitCommand(command);

    private static TrackerOptions? CreateTracker(VrrpTrackerDefinitionOptions definition, string prefix, ScriptPolicy policy, Action<string, string> add)
    {
        string kind = definition.Kind.ToString().ToLowerInvariant();
        string Missing(string field) => $"{prefix}.{field}";
        TrackerOptions? options;
        switch (definition.Kind)
        {
            case VrrpTrackerKind.Script when string.IsNullOrWhiteSpace(definition.Script):
                add(Missing(nameof(VrrpTrackerDefinitionOptions.Script)), "a Script tracker needs the command line.");
                return null;
            case VrrpTrackerKind.Script:
                string field = $"{prefix}.{nameof(VrrpTrackerDefinitionOptions.Script)}";
                ImmutableArray<string> runs = policy.Apply(KeepalivedImporter.SplitCommand(definition.Script!),
                    ParseUser(definition.User, $"{prefix}.{nameof(VrrpTrackerDefinitionOptions.User)}", add), field, m => add(field, m), _ => { });
                options = new ScriptTrackerOptions { Arguments = runs.IsEmpty ? [.. KeepalivedImporter.SplitCommand(definition.Script!)] : [.. runs] };
                break;
            case VrrpTrackerKind.Process when string.IsNullOrWhiteSpace(definition.Process):
                add(Missing(nameof(VrrpTrackerDefinitionOptions.Process)), "a Process tracker needs the process name.");
                return null;
            case VrrpTrackerKind.Process:
                options = new ProcessTrackerOptions { ProcessName = definition.Process!, Quorum = definition.Quorum };
                break;
            case VrrpTrackerKind.Interface:
                options = new InterfaceTrackerOptions { InterfaceName = string.IsNullOrWhiteSpace(definition.Interface) ? definition.Name : definition.Interface };
                break;
            case VrrpTrackerKind.File when string.IsNullOrWhiteSpace(definition.Path):
                add(Missing(nameof(VrrpTrackerDefinitionOptions.Path)), "a File tracker needs the path.");
                return null;
            case VrrpTrackerKind.File:
                options = new FileTrackerOptions { Path = definition.Path! };
                break;
            case VrrpTrackerKind.Tcp:
                options = new TcpTrackerOptions { Host = definition.Host ?? "", Port = definition.Port };
                break;
            case VrrpTrackerKind.Http:
                options = new HttpTrackerOptions { Url = definition.Url };
                break;
            default:
                add(Missing(nameof(VrrpTrackerDefinitionOptions.Kind)), $"unknown kind {(int)definition.Kind}.");
                return null;
        }

        options.Name = string.Create(CultureInfo.InvariantCulture, $"{kind}:{definition.Name}");
        options.Interval = definition.Interval;
        options.Timeout = definition.Timeout;
        return options;
    }

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex IndexPattern();
}
