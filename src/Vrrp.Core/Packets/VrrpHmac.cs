using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Vrrp.Packets;

/// <summary>
/// keepalived 2.4's signed adverts (<c>auth_hmac</c>, draft-cassen-vrrp-auth-hmac): a 28-byte trailer after the VRRP
/// message — scheme (1: HMAC-SHA256 truncated to 128 bits), key id, 2 reserved zero bytes, a 64-bit time-based
/// sequence (UTC seconds, a 1/65536 s fraction, a counter) and the MAC. The MAC covers a 20-byte pseudo-header
/// (family 4 or 6, version, VRID, a zero byte, the source address zero-padded to 16 bytes), the message with its
/// checksum field read as zero, and the trailer with its MAC field read as zero; not the IP header and not the
/// destination, so one signature serves every unicast peer. For VRRP over IPv4 the checksum covers the message only;
/// over IPv6 it covers the trailer too (the kernel's IPV6_CHECKSUM covers the whole payload).
/// </summary>
internal static class VrrpHmac
{
    /// <summary>The trailer's length: 12 header bytes and the 16-byte MAC.</summary>
    public const int TrailerLength = 28;

    /// <summary>The scheme byte of HMAC-SHA256 truncated to 128 bits, the one scheme defined.</summary>
    public const byte Sha256Scheme = 1;

    /// <summary>The MAC's length on the wire.</summary>
    public const int MacLength = 16;

    /// <summary>The offset of the MAC inside the trailer.</summary>
    public const int MacOffset = 12;

    private const int PseudoHeaderLength = 20;

    /// <summary>The trailer's key id.</summary>
    public static byte GetKeyId(ReadOnlySpan<byte> trailer) => trailer[1];

    /// <summary>The trailer's 64-bit sequence: seconds in the high 32 bits, the fraction, the counter.</summary>
    public static ulong GetSequence(ReadOnlySpan<byte> trailer) =>
        ((ulong)BinaryPrimitives.ReadUInt32BigEndian(trailer[4..]) << 32)
        | ((ulong)BinaryPrimitives.ReadUInt16BigEndian(trailer[8..]) << 16)
        | BinaryPrimitives.ReadUInt16BigEndian(trailer[10..]);

    /// <summary>Whether the trailer names the one scheme and has its reserved bytes zero (keepalived's "malformed" otherwise).</summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> trailer) =>
        trailer.Length == TrailerLength && trailer[0] == Sha256Scheme && trailer[2] == 0 && trailer[3] == 0;

    /// <summary>The sequence a clock reading gives: UTC seconds in the high 32 bits, a 1/65536 s fraction, counter 0.</summary>
    public static ulong SequenceAt(DateTimeOffset utc)
    {
        long ticks = utc.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        ulong seconds = (ulong)(ticks / TimeSpan.TicksPerSecond);
        ulong fraction = (ulong)(ticks % TimeSpan.TicksPerSecond) * 65536 / TimeSpan.TicksPerSecond;
        return ((seconds & 0xFFFF_FFFF) << 32) | (fraction << 16);
    }

    /// <summary>Whether <paramref name="a"/> comes after <paramref name="b"/> in serial-number arithmetic (RFC 1982), so the order survives the wrap.</summary>
    public static bool IsAfter(ulong a, ulong b) => (long)(a - b) > 0;

    /// <summary>
    /// Writes the trailer for <paramref name="message"/> into <paramref name="trailer"/> (28 bytes): the header, then
    /// the MAC under <paramref name="key"/>. The message's checksum field is ignored, so it may be written before or after.
    /// </summary>
    /// <param name="key">The signing key (its id goes into the trailer).</param>
    /// <param name="message">The encoded VRRP message (version and VRID are read from it).</param>
    /// <param name="source">The IP source address bytes: 4 or 16.</param>
    /// <param name="sequence">The sequence (see <see cref="SequenceAt"/>).</param>
    /// <param name="trailer">Where to write.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static void Sign(VrrpHmacKey key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> source, ulong sequence, Span<byte> trailer)
    {
        ArgumentNullException.ThrowIfNull(key);
        Check(message, source, trailer.Length);
        trailer[0] = Sha256Scheme;
        trailer[1] = key.Id;
        trailer[2] = 0;
        trailer[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(trailer[4..], (uint)(sequence >> 32));
        BinaryPrimitives.WriteUInt16BigEndian(trailer[8..], (ushort)(sequence >> 16));
        BinaryPrimitives.WriteUInt16BigEndian(trailer[10..], (ushort)sequence);
        key.ComputeMac(PseudoHeader(message, source, stackalloc byte[PseudoHeaderLength]), message, trailer[..MacOffset], trailer[MacOffset..TrailerLength]);
    }

    /// <summary>
    /// Whether the trailer's MAC is the one <paramref name="key"/> gives for <paramref name="message"/> from
    /// <paramref name="source"/>, compared in constant time. Allocates nothing.
    /// </summary>
    /// <param name="key">The key the trailer's key id names.</param>
    /// <param name="message">The VRRP message (without the trailer).</param>
    /// <param name="source">The IP source address bytes: 4 or 16.</param>
    /// <param name="trailer">The 28-byte trailer.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static bool Verify(VrrpHmacKey key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> source, ReadOnlySpan<byte> trailer)
    {
        ArgumentNullException.ThrowIfNull(key);
        Check(message, source, trailer.Length);
        Span<byte> mac = stackalloc byte[MacLength];
        key.ComputeMac(PseudoHeader(message, source, stackalloc byte[PseudoHeaderLength]), message, trailer[..MacOffset], mac);
        return CryptographicOperations.FixedTimeEquals(mac, trailer[MacOffset..TrailerLength]);
    }

    private static void Check(ReadOnlySpan<byte> message, ReadOnlySpan<byte> source, int trailerLength)
    {
        if (message.Length < VrrpCodec.HeaderLength)
        {
            throw new ArgumentException("A VRRP message has at least 8 bytes.", nameof(message));
        }

        if (source.Length is not (4 or 16))
        {
            throw new ArgumentException("The source address has 4 (IPv4) or 16 (IPv6) bytes.", nameof(source));
        }

        if (trailerLength != TrailerLength)
        {
            throw new ArgumentException($"The trailer has {TrailerLength} bytes.", "trailer");
        }
    }

    private static ReadOnlySpan<byte> PseudoHeader(ReadOnlySpan<byte> message, ReadOnlySpan<byte> source, Span<byte> pseudo)
    {
        pseudo.Clear();
        pseudo[0] = source.Length == 16 ? (byte)6 : (byte)4;
        pseudo[1] = (byte)(message[0] >> 4);
        pseudo[2] = message[1];
        source.CopyTo(pseudo[4..]);
        return pseudo;
    }
}

/// <summary>
/// One <c>auth_hmac</c> key: an id (1–255) and 32–64 bytes of key material, with the HMAC-SHA256 state it signs and
/// verifies with (reused: no allocation per advert; calls are serialized on the key). The material is never shown:
/// <see cref="ToString"/> gives the id only.
/// </summary>
internal sealed class VrrpHmacKey : IDisposable
{
    /// <summary>The fewest key bytes keepalived accepts.</summary>
    public const int MinLength = 32;

    /// <summary>The most key bytes keepalived accepts.</summary>
    public const int MaxLength = 64;

    private readonly IncrementalHash _hmac;
    private readonly Lock _lock = new();
    private readonly byte[] _full = new byte[32];

    /// <summary>Creates the key.</summary>
    /// <param name="id">The key id, 1–255.</param>
    /// <param name="material">32–64 bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">The id or the length is out of range.</exception>
    public VrrpHmacKey(int id, ReadOnlySpan<byte> material)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(id, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(id, 255);
        if (material.Length is < MinLength or > MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(material), $"An auth_hmac key has {MinLength} to {MaxLength} bytes; got {material.Length}.");
        }

        Id = (byte)id;
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, material);
    }

    /// <summary>The key id.</summary>
    public byte Id { get; }

    /// <inheritdoc/>
    public override string ToString() => $"auth_hmac key {Id}";

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _hmac.Dispose();
        }
    }

    /// <summary>HMAC(pseudo ‖ message with its checksum zero ‖ trailer header ‖ 16 zeros), truncated into <paramref name="mac"/>.</summary>
    internal void ComputeMac(ReadOnlySpan<byte> pseudo, ReadOnlySpan<byte> message, ReadOnlySpan<byte> trailerHeader, Span<byte> mac)
    {
        // One contiguous input, one call into the crypto library: the HMAC's fixed cost is the calls, not the bytes.
        int length = pseudo.Length + message.Length + trailerHeader.Length + VrrpHmac.MacLength;
        byte[]? rented = length <= 512 ? null : ArrayPool<byte>.Shared.Rent(length);
        Span<byte> input = (rented is null ? stackalloc byte[512] : rented)[..length];
        pseudo.CopyTo(input);
        Span<byte> body = input[pseudo.Length..];
        message.CopyTo(body);
        body[VrrpChecksum.FieldOffset] = 0;
        body[VrrpChecksum.FieldOffset + 1] = 0;
        trailerHeader.CopyTo(body[message.Length..]);
        body[(message.Length + trailerHeader.Length)..].Clear();
        lock (_lock)
        {
            _hmac.AppendData(input);
            _hmac.GetHashAndReset(_full);
            _full.AsSpan(0, VrrpHmac.MacLength).CopyTo(mac);
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
