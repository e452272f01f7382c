import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IR weights file (`.bin`), memory-mapped read-only; `Const` tensors borrow regions of it.
///
/// The mapping lives as long as this object or any tensor borrowing from it. If the file is
/// truncated by another process while mapped, reading the lost pages raises SIGBUS (as for any
/// mapped file); SwiftPOT never writes to a weights file it has mapped.
public final class WeightsFile: @unchecked Sendable {
    /// The file's path, or nil for in-memory weights.
    public let path: String?
    /// Size of the weights in bytes.
    public let byteCount: Int
    /// Start of the bytes; nil when `byteCount` is 0.
    let base: UnsafeRawPointer?
    private let isMapped: Bool

    /// Maps `path` read-only (mmap PROT_READ, MAP_PRIVATE). Throws when it is missing or not a regular file.
    public convenience init(path: String) throws {
        try self.init(path: path, kind: "weights file")
    }

    /// Maps any file read-only; `kind` names it in errors ("weights file", ".npy file").
    package init(path: String, kind: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw OVIRError(file: path, "cannot open the \(kind): \(reason)")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw OVIRError(file: path, "cannot stat the \(kind): \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw OVIRError(file: path, "expected a regular \(kind), found a directory or special file")
        }
        let size = Int(st.st_size)
        self.path = path
        self.byteCount = size
        self.isMapped = size > 0
        if size == 0 {
            self.base = nil
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw OVIRError(file: path, "cannot map the \(kind) (\(size) bytes): \(String(cString: strerror(errno)))")
        }
        self.base = UnsafeRawPointer(p)
    }

    /// In-memory weights (a copy of `data`), for tests and for IR built in memory.
    public init(data: Data) {
        self.path = nil
        self.byteCount = data.count
        self.isMapped = false
        if data.isEmpty {
            self.base = nil
        } else {
            let p = UnsafeMutableRawPointer.allocate(byteCount: data.count, alignment: 64)
            data.withUnsafeBytes { src in
                if let s = src.baseAddress { p.copyMemory(from: s, byteCount: src.count) }
            }
            self.base = UnsafeRawPointer(p)
        }
    }

    /// A name for error messages: the path, or "in-memory weights".
    public var displayName: String { path ?? "in-memory weights" }

    /// The bytes `[offset, offset + count)`, or nil when that range is not inside the file.
    /// Overflow-safe for any `offset` and `count`.
    func bytes(offset: Int, count: Int) -> UnsafeRawPointer? {
        guard offset >= 0, count >= 0, offset <= byteCount, count <= byteCount - offset else { return nil }
        guard let base else { return count == 0 ? UnsafeRawPointer(bitPattern: 64) : nil }
        return base + offset
    }

    deinit {
        guard let base else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), byteCount)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }
}
