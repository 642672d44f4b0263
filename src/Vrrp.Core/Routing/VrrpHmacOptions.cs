using System.Globalization;
using System.Text;
using Vrrp.Configuration;
using Vrrp.Packets;
using Vrrp.Platform;

namespace Vrrp.Routing;

/// <summary>
/// keepalived 2.4's <c>auth_hmac { ... }</c> (signed adverts, <see cref="VrrpHmac"/>): the keys by id, the one used
/// to sign, anti-replay, the freshness window and the rollout mode. The same on every node of a virtual router.
/// </summary>
public sealed class VrrpHmacOptions
{
    /// <summary>The keys (keepalived <c>key ID VALUE</c>): several at once for a hitless rotation.</summary>
    public IList<VrrpHmacKeyOptions> Keys { get; set; } = [];

    /// <summary>The key id adverts are signed with (keepalived <c>active_key</c>); it must be one of <see cref="Keys"/>.</summary>
    public int ActiveKey { get; set; }

    /// <summary>keepalived <c>anti_replay</c> (default <see cref="VrrpHmacAntiReplay.Time"/>).</summary>
    public VrrpHmacAntiReplay AntiReplay { get; set; } = VrrpHmacAntiReplay.Time;

    /// <summary>
    /// keepalived <c>time_window</c>, whole seconds 1–300: how far a sender's clock may be from ours. Default: 3 ×
    /// the advert interval's whole seconds, at least 5 s.
    /// </summary>
    public TimeSpan? TimeWindow { get; set; }

    /// <summary>keepalived <c>mode</c> (default <see cref="VrrpHmacMode.Enforce"/>).</summary>
    public VrrpHmacMode Mode { get; set; } = VrrpHmacMode.Enforce;

    /// <summary>The freshness window for an instance advertising every <paramref name="interval"/>, as keepalived derives it.</summary>
    public TimeSpan GetTimeWindow(TimeSpan interval) =>
        TimeWindow ?? TimeSpan.FromSeconds(Math.Clamp(3 * (long)interval.TotalSeconds, 5, 300));

    /// <summary>A deep copy.</summary>
    public VrrpHmacOptions Clone() => new()
    {
        Keys = [.. Keys.Select(k => new VrrpHmacKeyOptions { Id = k.Id, Key = k.Key })],
        ActiveKey = ActiveKey,
        AntiReplay = AntiReplay,
        TimeWindow = TimeWindow,
        Mode = Mode,
    };

    /// <summary>Every problem, as "Field: message" (the key material is never quoted).</summary>
    internal void Validate(List<string> errors, string prefix)
    {
        if (Keys is null || Keys.Count == 0)
        {
            errors.Add($"{prefix}.{nameof(Keys)}: at least one key (keepalived 'key ID VALUE').");
            return;
        }

        HashSet<int> ids = [];
        for (int i = 0; i < Keys.Count; i++)
        {
            VrrpHmacKeyOptions key = Keys[i];
            string at = $"{prefix}.{nameof(Keys)}[{i}]";
            if (key.Id is < 1 or > 255)
            {
                errors.Add($"{at}.{nameof(VrrpHmacKeyOptions.Id)}: must be 1..255; got {key.Id}.");
            }
            else if (!ids.Add(key.Id))
            {
                errors.Add($"{at}.{nameof(VrrpHmacKeyOptions.Id)}: key id {key.Id} is defined twice.");
            }

            if (!key.TryResolve(out byte[]? material, out string? error))
            {
                errors.Add($"{at}.{nameof(VrrpHmacKeyOptions.Key)}: {error}");
            }
            else
            {
                Array.Clear(material!);
            }
        }

        if (!ids.Contains(ActiveKey))
        {
            errors.Add($"{prefix}.{nameof(ActiveKey)}: {ActiveKey} is not one of the keys' ids ({string.Join(", ", ids.Order())}).");
        }

        if (TimeWindow is { } window && (window < TimeSpan.FromSeconds(1) || window > TimeSpan.FromSeconds(300) || window.Ticks % TimeSpan.TicksPerSecond != 0))
        {
            errors.Add($"{prefix}.{nameof(TimeWindow)}: whole seconds 1..300; got {window}.");
        }

        if (!Enum.IsDefined(Mode))
        {
            errors.Add($"{prefix}.{nameof(Mode)}: Enforce, Permissive or ReceiveOnly.");
        }

        if (!Enum.IsDefined(AntiReplay))
        {
            errors.Add($"{prefix}.{nameof(AntiReplay)}: Time or Monotonic.");
        }
    }
}

/// <summary>One <c>auth_hmac</c> key: keepalived's <c>key ID VALUE</c>.</summary>
public sealed class VrrpHmacKeyOptions
{
    /// <summary>The largest key file read (a <c>hex:</c> line of 64 bytes and some slack).</summary>
    public const int MaxFileLength = 4 + (VrrpHmacKey.MaxLength * 2) + 8;

    /// <summary>The key id, 1–255.</summary>
    public int Id { get; set; }

    /// <summary>
    /// The key: <c>hex:</c> and 64–128 hex digits, <c>file:PATH</c> (a file holding either form, such as a systemd
    /// credential), or the 32–64 ASCII characters themselves.
    /// </summary>
    public string Key { get; set; } = "";

    /// <inheritdoc/>
    public override string ToString() => $"auth_hmac key {Id.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The key bytes, or why there are none (the message names a file, never the material).</summary>
    public bool TryResolve(out byte[]? material, out string? error)
    {
        material = null;
        string value = Key ?? "";
        if (value.StartsWith("file:", StringComparison.Ordinal))
        {
            string path = value[5..];
            if (!TryReadFile(path, out value, out error))
            {
                return false;
            }
        }

        if (value.StartsWith("hex:", StringComparison.Ordinal))
        {
            try
            {
                material = Convert.FromHexString(value.AsSpan(4));
            }
            catch (FormatException)
            {
                error = "a 'hex:' key has an even number of hex digits and nothing else.";
                return false;
            }
        }
        else
        {
            material = Encoding.ASCII.GetBytes(value);
            if (value.Any(c => c > 127))
            {
                error = "a key is 'hex:...', 'file:PATH' or ASCII text.";
                material = null;
                return false;
            }
        }

        if (material.Length is < VrrpHmacKey.MinLength or > VrrpHmacKey.MaxLength)
        {
            error = $"{material.Length} bytes; a key has {VrrpHmacKey.MinLength} to {VrrpHmacKey.MaxLength} (openssl rand -hex 32).";
            Array.Clear(material);
            material = null;
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>A regular file, at most <see cref="MaxFileLength"/> bytes, its trailing line ends dropped.</summary>
    private static bool TryReadFile(string path, out string value, out string? error)
    {
        value = "";
        try
        {
            // Opened once, without blocking and without following a symlink; checked on the open descriptor.
            byte[] buffer = SafeFile.ReadAllBytes(path, MaxFileLength, followSymlink: false);
            int total = buffer.Length;
            value = Encoding.ASCII.GetString(buffer, 0, total).TrimEnd('\r', '\n');
            Array.Clear(buffer);
            error = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read the key file: {e.Message}";
            return false;
        }
    }
}

/// <summary>keepalived's <c>auth_hmac</c> <c>mode</c>: how a rollout proceeds without dropping adverts.</summary>
public enum VrrpHmacMode
{
    /// <summary>Sign, and reject an advert without a valid trailer (keepalived's default).</summary>
    Enforce,

    /// <summary>Sign, and still accept an advert without a trailer (a signed one must verify).</summary>
    Permissive,

    /// <summary>Do not sign; verify a trailer when one comes, accept an advert without one.</summary>
    ReceiveOnly,
}

/// <summary>keepalived's <c>auth_hmac</c> <c>anti_replay</c>.</summary>
public enum VrrpHmacAntiReplay
{
    /// <summary>A freshness window around our clock and a growing sequence per sender (needs synchronized clocks).</summary>
    Time,

    /// <summary>Only a growing sequence per sender.</summary>
    Monotonic,
}
