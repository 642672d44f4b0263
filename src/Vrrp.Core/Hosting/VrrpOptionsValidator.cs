using Microsoft.Extensions.Options;

namespace Vrrp.Hosting;

/// <summary>
/// Validates <see cref="VrrpOptions"/> (with <c>ValidateOnStart</c>, at host start-up): every problem names its field,
/// e.g. <c>Instances[0].Priority: must be 1..255; got 0.</c>; instances may only track defined or registered trackers.
/// </summary>
internal sealed class VrrpOptionsValidator(IEnumerable<VrrpTrackerRegistration> registrations) : IValidateOptions<VrrpOptions>
{
    public ValidateOptionsResult Validate(string? name, VrrpOptions options)
    {
        List<string> errors = [.. options.Validate()];
        HashSet<string> known = new(registrations.Select(r => r.Options.Name), StringComparer.Ordinal);
        foreach (VrrpTrackerDefinitionOptions definition in options.Trackers ?? [])
        {
            known.Add(definition?.Name ?? "");
        }

        IList<VrrpInstanceOptions> instances = options.Instances ?? [];
        for (int i = 0; i < instances.Count; i++)
        {
            IList<VrrpTrackOptions> tracks = instances[i]?.Trackers ?? [];
            for (int t = 0; t < tracks.Count; t++)
            {
                if (tracks[t] is { Name: { Length: > 0 } trackName } && !known.Contains(trackName))
                {
                    errors.Add($"{nameof(VrrpOptions.Instances)}[{i}].{nameof(VrrpInstanceOptions.Trackers)}[{t}].{nameof(VrrpTrackOptions.Name)}: no tracker named '{trackName}' is defined in {nameof(VrrpOptions.Trackers)} or added with AddTracker.");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
