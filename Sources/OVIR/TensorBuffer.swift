#if canImport(Glibc)
import Glibc
#endif

/// Raw, 64-byte-aligned bytes behind a ``Tensor``: owned memory, or a borrowed region (a mapped
/// weights file) kept alive by `owner`. Borrowed regions are read-only; writes go to a copy.
public final class TensorBuffer: @unchecked Sendable {
    public let bytes: UnsafeMutableRawPointer
    public let byteCount: Int
    /// Keeps a borrowed region alive; nil when this buffer owns `bytes`.
    let owner: AnyObject?

    public var isReadOnly: Bool { owner != nil }

    /// Zero-filled owned memory.
    public init(byteCount: Int) {
        self.byteCount = byteCount
        self.bytes = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(byteCount, 1), alignment: 64)
        self.bytes.initializeMemory(as: UInt8.self, repeating: 0, count: Swift.max(byteCount, 1))
        self.owner = nil
    }

    /// Owned memory, uninitialised (callers fill every byte).
    package init(uninitializedByteCount byteCount: Int) {
        self.byteCount = byteCount
        self.bytes = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(byteCount, 1), alignment: 64)
        self.owner = nil
    }

    /// A read-only view of memory that `owner` keeps alive.
    package init(borrowing bytes: UnsafeRawPointer, byteCount: Int, owner: AnyObject) {
        self.bytes = UnsafeMutableRawPointer(mutating: bytes)
        self.byteCount = byteCount
        self.owner = owner
    }

    /// An owned copy of these bytes.
    func copy() -> TensorBuffer {
        let b = TensorBuffer(uninitializedByteCount: byteCount)
        if byteCount > 0 { b.bytes.copyMemory(from: bytes, byteCount: byteCount) }
        return b
    }

    deinit {
        if owner == nil { bytes.deallocate() }
    }
}
