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

            if (CreateTracker(definition, prefix, Add) is not { } tracker)
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

            if (ConvertInstance(instance, prefix, trackers, usedTrackers, Add, Where) is { } converted)
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

            groups.Add(new KeepalivedSyncGroup(group.Name, [.. members], Where(prefix)));
        }

        if (errors.Count > 0)
        {
            return new Result(null, errors);
        }

        ImmutableArray<KeepalivedTracker> used = [.. trackers.Values
            .Where(t => usedTrackers.Contains(t.Definition.Name))
            .OrderBy(t => t.Index)
            .Select(t => new KeepalivedTracker(t.Options.Name, t.Options, Where($"{nameof(VrrpOptions.Trackers)}[{t.Index}]")))];
        ImmutableArray<ConfigDiagnostic> warnings = [.. trackers.Values
            .Where(t => !usedTrackers.Contains(t.Definition.Name))
            .OrderBy(t => t.Index)
            .Select(t => new ConfigDiagnostic(Where($"{nameof(VrrpOptions.Trackers)}[{t.Index}]"), $"'{t.Options.Name}' is defined but no instance tracks it"))];
        return new Result(new KeepalivedConfiguration(null, instances.ToImmutable(), [], warnings) { Trackers = used, SyncGroups = groups.ToImmutable() }, errors);
    }

    /// <summary><c>Instances[0].Peers[1].Address</c> → <c>Instances:0:Peers:1:Address</c>.</summary>
    public static string FieldToPath(string field) => IndexPattern().Replace(field, ":$1").Replace('.', ':');

    private static KeepalivedInstance? ConvertInstance(VrrpInstanceOptions instance, string prefix,
        Dictionary<string, (VrrpTrackerDefinitionOptions Definition, TrackerOptions Options, int Index)> trackers,
        HashSet<string> usedTrackers, Action<string, string> add, Func<string, ConfigLocation> where)
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
            UnicastTimeToLive = instance.UnicastTimeToLive,
            CheckUnicastSource = instance.CheckUnicastSource,
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
            if (LocalVirtualAddress.TryParse(addresses[a], out LocalVirtualAddress? local))
            {
                options.VirtualAddresses.Add(local.Address);
                locals.Add(new KeepalivedLocalAddress(local, null, null, false, where($"{prefix}.{nameof(VrrpInstanceOptions.VirtualAddresses)}[{a}]")));
            }
            else
            {
                Local($"{nameof(VrrpInstanceOptions.VirtualAddresses)}[{a}]", $"'{addresses[a]}' is not ADDRESS or ADDRESS/PREFIX.");
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

        NotifyScripts notify = NotifyScripts.None;
        if (instance.Notify is { } n)
        {
            notify = new NotifyScripts(Split(n.Master), Split(n.Backup), Split(n.Fault), Split(n.Stop), Split(n.Generic)) { MasterRxLowerPriority = Split(n.MasterRxLowerPriority) };
        }

        return ok ? new KeepalivedInstance(options, string.IsNullOrWhiteSpace(instance.Interface) ? null : instance.Interface, notify, where(prefix))
        {
            LocalAddresses = locals.ToImmutable(),
        }
            : null;
    }

    private static ImmutableArray<string> Split(string? command) => string.IsNullOrWhiteSpace(command) ? [] : KeepalivedImporter.SplitCommand(command);

    private static TrackerOptions? CreateTracker(VrrpTrackerDefinitionOptions definition, string prefix, Action<string, string> add)
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
                options = new ScriptTrackerOptions { Arguments = [.. KeepalivedImporter.SplitCommand(definition.Script!)] };
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
