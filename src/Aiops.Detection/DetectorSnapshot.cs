using System.Buffers;
using System.IO;
using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <summary>
/// A detector whose learnt state for its series can be written to bytes and restored into another instance created with the
/// same options (on another process or machine), which then scores the next points exactly as the original would have.
/// </summary>
/// <remarks>
/// Every built-in detector implements it (through <see cref="AnomalyDetector"/>); a detector subclassed outside this library
/// throws <see cref="NotSupportedException"/>. Not thread-safe: call it between updates, from the thread that updates.
/// </remarks>
public interface IStateSnapshot
{
    /// <summary>
    /// Writes the detector's state: a 4-byte header (format <see cref="DetectorSnapshot.FormatVersion"/> and the detector kind)
    /// and the state in a compact little-endian binary form. The detector is not changed. Allocates only what the writer does.
    /// </summary>
    /// <param name="writer">Receives the bytes.</param>
    /// <exception cref="NotSupportedException">The detector has no snapshot format.</exception>
    void WriteSnapshot(IBufferWriter<byte> writer);

    /// <summary>
    /// Replaces the detector's state with a snapshot written by <see cref="WriteSnapshot"/> from a detector of the same kind and
    /// options. The snapshot must be exactly the bytes written (no trailing bytes). A snapshot with another header or kind leaves the
    /// detector unchanged; one that fails further in (truncated, corrupt, other options) resets it (as
    /// <see cref="IAnomalyDetector.Reset"/>) and the exception says why; it never keeps half a state. Corrupt includes every value
    /// the detector could not have reached by scoring points (a time outside <see cref="DateTimeOffset"/>'s range or later than
    /// the last point, NaN where a number is kept, a count beyond the points seen or at a limit it would overflow, a sampling
    /// interval inconsistent with itself), so a restored detector never throws, stops flagging or skips every point later.
    /// </summary>
    /// <param name="snapshot">The bytes.</param>
    /// <exception cref="InvalidDataException">The bytes are not a detector snapshot, are of another format version, were taken
    /// from another kind of detector or with other options, or are truncated or corrupt.</exception>
    /// <exception cref="NotSupportedException">The detector has no snapshot format.</exception>
    void RestoreSnapshot(ReadOnlySpan<byte> snapshot);
}

/// <summary>Saves and restores detector state (<see cref="IStateSnapshot"/>) for any <see cref="IAnomalyDetector"/>.</summary>
/// <remarks>
/// Thread-safe as a class; the detector passed is not (see <see cref="IAnomalyDetector"/>). Sizes with the default options
/// (measured by <c>DetectorSnapshotTests.Save_DefaultCatalogueDetectors_StayWithinStatedSizes</c>): the ensemble's state is
/// 4,090 bytes once its seasonal member has trained on the test's 48-minute period (47 steps; 4 bytes more per period step:
/// 5,054 bytes on the 288-point day of <c>benchmarks/Aiops.Benchmarks -- state</c>), and up to about 9 KB
/// during that member's 600-point warm-up, whose points and steps it must keep; the contextual catalogue detector's grows with the
/// contexts it has counted, from 260 bytes to at most about 5 KB (its count table is written sparsely; 2.2 KB after 20,000 points
/// of a noisy sine).
/// </remarks>
public static class DetectorSnapshot
{
    /// <summary>
    /// The snapshot format version this build writes and the only one it reads: 6 (the ensemble's lagged change-point member;
    /// version 5 added the seasonal model's error scale along its period, version 4 the ensemble's innovation member, version 3
    /// each member's run reading, version 2 the seasonal model's clock). A snapshot of another version is refused as such, not
    /// misread.
    /// </summary>
    public const byte FormatVersion = 6;

    /// <summary>The first two bytes of every snapshot.</summary>
    internal const byte Magic0 = 0xAD;

    /// <summary>The second byte of every snapshot.</summary>
    internal const byte Magic1 = 0x53;

    /// <summary>Returns whether <paramref name="detector"/> can be saved and restored.</summary>
    /// <param name="detector">The detector.</param>
    /// <returns><see langword="true"/> for every built-in detector.</returns>
    public static bool IsSupported(IAnomalyDetector detector)
    {
        ArgumentNullException.ThrowIfNull(detector);
        return detector is AnomalyDetector { SnapshotKind: not 0 };
    }

    /// <summary>Writes the state of <paramref name="detector"/> into a new array (see <see cref="IStateSnapshot.WriteSnapshot"/>).</summary>
    /// <param name="detector">The detector.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="NotSupportedException">The detector has no snapshot format.</exception>
    public static byte[] Save(IAnomalyDetector detector)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        AsSnapshot(detector).WriteSnapshot(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Restores <paramref name="detector"/> from a snapshot (see <see cref="IStateSnapshot.RestoreSnapshot"/>).</summary>
    /// <param name="detector">A detector of the same kind and options as the one the snapshot was taken from.</param>
    /// <param name="snapshot">The bytes.</param>
    /// <exception cref="InvalidDataException">The bytes do not fit the detector, or are truncated or corrupt.</exception>
    /// <exception cref="NotSupportedException">The detector has no snapshot format.</exception>
    public static void Restore(IAnomalyDetector detector, ReadOnlySpan<byte> snapshot) => AsSnapshot(detector).RestoreSnapshot(snapshot);

    /// <summary>Names a kind byte in error messages.</summary>
    internal static string KindName(byte kind) => Enum.IsDefined((SnapshotKind)kind)
        ? $"a {(SnapshotKind)kind} detector"
        : $"an unknown detector kind ({kind})";

    private static IStateSnapshot AsSnapshot(IAnomalyDetector detector)
    {
        ArgumentNullException.ThrowIfNull(detector);
        return detector as IStateSnapshot
            ?? throw new NotSupportedException($"Detector '{detector.Name}' ({detector.GetType().Name}) does not support state snapshots.");
    }
}
