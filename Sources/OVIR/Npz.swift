#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// numpy `.npz` archives: a zip of `.npy` members, STORED (`np.savez`) or DEFLATE (`np.savez_compressed`).
public enum Npz {
    /// The arrays of an `.npz` file in archive order, named as numpy names them (member name without `.npy`).
    public static func read(url: URL) throws -> [(name: String, tensor: Tensor)] {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw OVIRError(file: url.path, "cannot read the file: \(fileErrorDescription(error))")
        }
        do {
            return try data.withUnsafeBytes { try read(bytes: $0, path: url.path) }
        } catch let e as OVIRError {
            throw e.inFile(url.path)
        }
    }

    static func read(bytes: UnsafeRawBufferPointer, path: String) throws -> [(name: String, tensor: Tensor)] {
        let zip = ZipReader(bytes)
        var out: [(name: String, tensor: Tensor)] = []
        for entry in try zip.centralDirectory() where !entry.name.hasSuffix("/") {
            guard entry.name.hasSuffix(".npy") else {
                throw OVIRError("archive member '\(entry.name)' is not a .npy file")
            }
            let member = try zip.contents(of: entry)
            let tensor = try Tensor(npyData: member, name: "\(path)[\(entry.name)]")
            out.append((String(entry.name.dropLast(4)), tensor))
        }
        return out
    }
}

/// One member of a zip archive, from its central directory record.
struct ZipEntry {
    var name: String
    var method: Int
    var flags: Int
    var crc32: UInt32
    var compressedSize: Int
    var uncompressedSize: Int
    var localHeaderOffset: Int
}

/// A minimal zip reader (central directory, ZIP64 sizes and offsets) over bytes in memory; every
/// offset and size is checked against the archive's length.
struct ZipReader {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private func u16(_ at: Int) throws -> Int {
        guard at >= 0, at + 2 <= bytes.count else { throw OVIRError("zip archive is truncated") }
        return Int(bytes[at]) | Int(bytes[at + 1]) << 8
    }

    private func u32(_ at: Int) throws -> Int {
        let lo = try u16(at), hi = try u16(at + 2)
        return lo | hi << 16
    }

    private func u64(_ at: Int) throws -> Int {
        let lo = try u32(at), hi = try u32(at + 4)
        guard hi < (1 << 31) else { throw OVIRError("zip archive has an impossible 64-bit size or offset") }
        return lo | hi << 32
    }

    private func checkRange(_ start: Int, _ length: Int, _ what: String) throws {
        let (end, o) = start.addingReportingOverflow(length)
        guard start >= 0, length >= 0, !o, end <= bytes.count else {
            throw OVIRError("zip archive is truncated or corrupt: \(what) lies outside the file")
        }
    }

    /// The members listed in the central directory.
    func centralDirectory() throws -> [ZipEntry] {
        guard bytes.count >= 22 else { throw OVIRError("not a zip archive (.npz): too short") }
        // The end-of-central-directory record is at the end, before a comment of up to 65535 bytes.
        var eocd = -1
        var at = bytes.count - 22
        while at >= max(0, bytes.count - 22 - 65535) {
            if try u32(at) == 0x0605_4B50 { eocd = at; break }
            at -= 1
        }
        guard eocd >= 0 else { throw OVIRError("not a zip archive (.npz): no end-of-central-directory record") }
        var count = try u16(eocd + 10), size = try u32(eocd + 12), offset = try u32(eocd + 16)
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            let locator = eocd - 20
            guard locator >= 0, try u32(locator) == 0x0706_4B50 else { throw OVIRError("zip archive: missing ZIP64 locator") }
            let record = try u64(locator + 8)
            guard try u32(record) == 0x0606_4B50 else { throw OVIRError("zip archive: bad ZIP64 end record") }
            count = try u64(record + 32)
            size = try u64(record + 40)
            offset = try u64(record + 48)
        }
        try checkRange(offset, size, "the central directory")
        var entries: [ZipEntry] = []
        var p = offset
        for _ in 0..<min(count, size / 46 + 1) {
            guard try u32(p) == 0x0201_4B50 else { throw OVIRError("zip archive: bad central directory record at byte \(p)") }
            let nameLength = try u16(p + 28), extraLength = try u16(p + 30), commentLength = try u16(p + 32)
            try checkRange(p + 46, nameLength + extraLength + commentLength, "a central directory record")
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(p + 46)..<(p + 46 + nameLength)]), as: UTF8.self)
            var entry = ZipEntry(name: name, method: try u16(p + 10), flags: try u16(p + 8), crc32: UInt32(try u32(p + 16)),
                                 compressedSize: try u32(p + 20), uncompressedSize: try u32(p + 24), localHeaderOffset: try u32(p + 42))
            try applyZip64(&entry, extra: p + 46 + nameLength, length: extraLength)
            entries.append(entry)
            p += 46 + nameLength + extraLength + commentLength
        }
        guard entries.count == count else { throw OVIRError("zip archive: the central directory lists \(count) members, \(entries.count) found") }
        return entries
    }

    /// Replaces 0xFFFFFFFF sizes and offsets with their ZIP64 extra-field values (in the order the format fixes).
    private func applyZip64(_ e: inout ZipEntry, extra: Int, length: Int) throws {
        var p = extra
        while p + 4 <= extra + length {
            let id = try u16(p), size = try u16(p + 2)
            if id == 0x0001 {
                var q = p + 4
                if e.uncompressedSize == 0xFFFF_FFFF { e.uncompressedSize = try u64(q); q += 8 }
                if e.compressedSize == 0xFFFF_FFFF { e.compressedSize = try u64(q); q += 8 }
                if e.localHeaderOffset == 0xFFFF_FFFF { e.localHeaderOffset = try u64(q) }
                return
            }
            p += 4 + size
        }
    }

    /// The uncompressed bytes of a member, CRC-checked.
    func contents(of e: ZipEntry) throws -> Data {
        guard e.flags & 1 == 0 else { throw OVIRError("archive member '\(e.name)' is encrypted") }
        let h = e.localHeaderOffset
        guard try u32(h) == 0x0403_4B50 else { throw OVIRError("archive member '\(e.name)': bad local header") }
        let start = h + 30 + (try u16(h + 26)) + (try u16(h + 28))
        try checkRange(start, e.compressedSize, "member '\(e.name)'")
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + e.compressedSize)])
        let out: Data
        switch e.method {
        case 0:
            guard e.compressedSize == e.uncompressedSize else {
                throw OVIRError("archive member '\(e.name)': stored sizes differ (\(e.compressedSize) vs \(e.uncompressedSize))")
            }
            out = Data(raw)
        case 8:
            do {
                out = Data(try Inflater.inflate(raw, expectedSize: e.uncompressedSize))
            } catch let err as OVIRError {
                throw OVIRError("archive member '\(e.name)': \(err.message)")
            }
        default:
            throw OVIRError("archive member '\(e.name)' uses compression method \(e.method); only stored (0) and deflate (8) are supported")
        }
        let crc = out.withUnsafeBytes { CRC32.checksum($0) }
        guard crc == e.crc32 else { throw OVIRError("archive member '\(e.name)' is corrupt: CRC-32 mismatch") }
        return out
    }
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zip uses.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
