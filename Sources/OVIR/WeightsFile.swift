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

    /// Drops the pages of the mapping that are resident (`madvise(MADV_DONTNEED)`); no-op for
    /// in-memory weights. The bytes do not change: the mapping is private and never written, so a
    /// page read later is faulted in again from the file (the page cache). Called once a model is
    /// compiled: the pages only constant folding read (FakeQuantize'd or f16 weights, now owned f32
    /// copies) then stop counting in the process's memory; the pages kernels read come back on
    /// first use.
    package func releaseResidentPages() {
        guard isMapped, let base else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base), byteCount, Int32(MADV_DONTNEED))
    }

    /// Drops the resident pages of the mapping that hold any of the bytes `[start, start + count)`
    /// (whole pages, so a neighbouring constant on a shared page is refaulted when read); see
    /// ``releaseResidentPages()``. No-op outside the mapping and for in-memory weights.
    package func releaseResidentPages(of start: UnsafeRawPointer, byteCount count: Int) {
        guard isMapped, let base, count > 0, start >= base, start + count <= base + byteCount else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lo = (start - base) / page * page
        let hi = min(byteCount, ((start - base) + count + page - 1) / page * page)
        _ = madvise(UnsafeMutableRawPointer(mutating: base + lo), hi - lo, Int32(MADV_DONTNEED))
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
