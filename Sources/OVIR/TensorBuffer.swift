#if canImport(Glibc)
import Glibc
#endif

/// Raw, 64-byte-aligned bytes behind a ``Tensor``: owned memory, a borrowed read-only region (a
/// mapped weights file) kept alive by `owner`, or a writable region of an interpreter's activation
/// arena. Borrowed regions are read-only; writes go to a copy.
///
/// An arena region is only valid until the interpreter reuses it for a later tensor. The
/// interpreter calls ``detachFromArena()`` before it does so when anyone else still holds this
/// buffer (an observer that kept a tensor), so holders always see stable bytes.
public final class TensorBuffer: @unchecked Sendable {
    public private(set) var bytes: UnsafeMutableRawPointer
    public let byteCount: Int
    /// Keeps a borrowed region alive; nil when this buffer owns `bytes` or views an arena.
    let owner: AnyObject?
    /// Whether `bytes` is memory this buffer allocated and frees.
    private var ownsBytes: Bool

    public var isReadOnly: Bool { owner != nil }
    /// The mapped weights file this buffer borrows from, if any.
    package var mappedWeights: WeightsFile? { owner as? WeightsFile }
    /// For a region of a mapped weights file: drops the pages it spans from memory (the bytes do
    /// not change; see ``WeightsFile/releaseResidentPages()``). No-op for other buffers.
    package func releaseMappedPages() {
        (owner as? WeightsFile)?.releaseResidentPages(of: UnsafeRawPointer(bytes), byteCount: byteCount)
    }
    /// Whether `bytes` is a region of an activation arena (writable, not owned).
    public var isArenaRegion: Bool { owner == nil && !ownsBytes }

    /// Zero-filled owned memory.
    public init(byteCount: Int) {
        self.byteCount = byteCount
        self.bytes = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(byteCount, 1), alignment: 64)
        self.bytes.initializeMemory(as: UInt8.self, repeating: 0, count: Swift.max(byteCount, 1))
        self.owner = nil
        self.ownsBytes = true
    }

    /// Owned memory, uninitialised (callers fill every byte).
    package init(uninitializedByteCount byteCount: Int) {
        self.byteCount = byteCount
        self.bytes = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(byteCount, 1), alignment: 64)
        self.owner = nil
        self.ownsBytes = true
    }

    /// A read-only view of memory that `owner` keeps alive.
    package init(borrowing bytes: UnsafeRawPointer, byteCount: Int, owner: AnyObject) {
        self.bytes = UnsafeMutableRawPointer(mutating: bytes)
        self.byteCount = byteCount
        self.owner = owner
        self.ownsBytes = false
    }

    /// A writable view of an arena region; the arena's owner keeps the memory alive and calls
    /// ``detachFromArena()`` before reusing the region while this buffer is still shared.
    package init(arenaRegion bytes: UnsafeMutableRawPointer, byteCount: Int) {
        self.bytes = bytes
        self.byteCount = byteCount
        self.owner = nil
        self.ownsBytes = false
    }

    /// Moves an arena region's bytes into owned memory, so the region can be reused while holders
    /// of this buffer keep their values. No-op for other buffers.
    package func detachFromArena() {
        guard isArenaRegion else { return }
        let p = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(byteCount, 1), alignment: 64)
        if byteCount > 0 { p.copyMemory(from: bytes, byteCount: byteCount) }
        bytes = p
        ownsBytes = true
    }

    /// An owned copy of these bytes.
    func copy() -> TensorBuffer {
        let b = TensorBuffer(uninitializedByteCount: byteCount)
        if byteCount > 0 { b.bytes.copyMemory(from: bytes, byteCount: byteCount) }
        return b
    }

    deinit {
        if ownsBytes { bytes.deallocate() }
    }
}
