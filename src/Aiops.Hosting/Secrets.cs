using System.Security.Cryptography;
using System.Text;

namespace Aiops.Hosting;

/// <summary>Constant-time checks of presented credentials against configured secrets.</summary>
internal static class Secrets
{
    /// <summary>The longest credential considered; anything longer never matches.</summary>
    private const int MaxPresentedChars = 4096;

    /// <summary>The SHA-256 of a configured secret, computed once and compared with <see cref="Matches"/>.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>
    /// Compares the hash of the presented credential (UTF-8, or base64-decoded bytes when <paramref name="base64"/>) with
    /// <paramref name="expectedHash"/> in constant time, so neither the secret's content nor its length leaks through timing.
    /// </summary>
    public static bool Matches(ReadOnlySpan<byte> expectedHash, ReadOnlySpan<char> presented, bool base64 = false)
    {
        if (presented.Length > MaxPresentedChars)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[MaxPresentedChars * 3];
        int count;
        if (base64)
        {
            if (!Convert.TryFromBase64Chars(presented, bytes, out count))
            {
                return false;
            }
        }
        else
        {
            count = Encoding.UTF8.GetBytes(presented, bytes);
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes[..count], hash);
        return CryptographicOperations.FixedTimeEquals(hash, expectedHash);
    }
}
