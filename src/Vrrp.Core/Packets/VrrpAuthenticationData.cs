using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Vrrp.Packets;

/// <summary>The 8 authentication bytes that end every VRRPv2 message (a NUL-padded password, or zeros).</summary>
public readonly struct VrrpAuthenticationData : IEquatable<VrrpAuthenticationData>
{
    /// <summary>The length of the field on the wire.</summary>
    public const int Length = 8;

    private readonly ulong _value;

    private VrrpAuthenticationData(ulong value) => _value = value;

    /// <summary>Eight zero bytes: what a VRRPv2 message without authentication carries.</summary>
    public static VrrpAuthenticationData Empty => default;

    /// <summary>
    /// The field for a simple password (keepalived <c>auth_pass</c>): its UTF-8 bytes NUL-padded to 8.
    /// </summary>
    /// <exception cref="ArgumentException">The password is empty or longer than 8 bytes in UTF-8.</exception>
    public static VrrpAuthenticationData FromPassword(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        Span<byte> bytes = stackalloc byte[Length];
        bytes.Clear();
        if (password.Length == 0 || Encoding.UTF8.GetByteCount(password) > Length)
        {
            throw new ArgumentException("A VRRPv2 simple password has 1 to 8 bytes (UTF-8).", nameof(password));
        }

        Encoding.UTF8.GetBytes(password, bytes);
        return new VrrpAuthenticationData(BinaryPrimitives.ReadUInt64BigEndian(bytes));
    }

    /// <summary>Reads the field from exactly 8 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 8 bytes long.</exception>
    public static VrrpAuthenticationData FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException("VRRPv2 authentication data is exactly 8 bytes.", nameof(bytes));
        }

        return new VrrpAuthenticationData(BinaryPrimitives.ReadUInt64BigEndian(bytes));
    }

    /// <summary>Writes the 8 bytes to <paramref name="destination"/>, which must hold at least 8 bytes.</summary>
    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt64BigEndian(destination, _value);

    /// <summary>Compares with the bytes received in constant time, so a timing observer learns nothing of the password.</summary>
    public bool FixedTimeEquals(ReadOnlySpan<byte> received)
    {
        Span<byte> mine = stackalloc byte[Length];
        WriteTo(mine);
        return CryptographicOperations.FixedTimeEquals(mine, received);
    }

    /// <inheritdoc/>
    public bool Equals(VrrpAuthenticationData other) => _value == other._value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is VrrpAuthenticationData other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _value.GetHashCode();

    /// <summary>The bytes in hexadecimal (a password is a secret: never log this for a configured one).</summary>
    public string ToHexString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Does not reveal the bytes.</summary>
    public override string ToString() => _value == 0 ? "(empty)" : "(8 bytes, redacted)";

    /// <summary>Equality.</summary>
    public static bool operator ==(VrrpAuthenticationData left, VrrpAuthenticationData right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(VrrpAuthenticationData left, VrrpAuthenticationData right) => !left.Equals(right);
}
