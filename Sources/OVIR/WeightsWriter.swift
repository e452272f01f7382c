#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Collects Const values into the `.bin` of an IR being written: blobs in the order they are added,
/// identical blobs stored once (same bytes → same offset), no padding between blobs (as OpenVINO writes).
struct WeightsWriter {
    private(set) var data = Data()
    /// Offsets of stored blobs by content hash (collisions are resolved by comparing bytes).
    private var offsetsByHash: [UInt64: [(offset: Int, size: Int)]] = [:]

    /// Stores the tensor's bytes (or finds an identical blob) and returns its offset.
    mutating func add(_ tensor: Tensor) -> Int {
        tensor.withUnsafeBytes { bytes in add(bytes) }
    }

    mutating func add(_ bytes: UnsafeRawBufferPointer) -> Int {
        let hash = WeightsWriter.fnv1a(bytes)
        for candidate in offsetsByHash[hash, default: []] where candidate.size == bytes.count {
            let same = data.withUnsafeBytes { stored in
                bytes.elementsEqual(UnsafeRawBufferPointer(rebasing: stored[candidate.offset..<(candidate.offset + candidate.size)]))
            }
            if same { return candidate.offset }
        }
        let offset = data.count
        data.append(contentsOf: bytes)
        offsetsByHash[hash, default: []].append((offset, bytes.count))
        return offset
    }

    /// 64-bit FNV-1a over every byte (8 bytes at a time, then the tail).
    static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let prime: UInt64 = 0x0000_0100_0000_01b3
        let words = bytes.count / 8
        for w in 0..<words {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: w * 8, as: UInt64.self)) &* prime
        }
        for i in (words * 8)..<bytes.count { h = (h ^ UInt64(bytes[i])) &* prime }
        return h ^ UInt64(bytes.count)
    }
}
