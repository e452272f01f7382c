/// A dense, C-ordered tensor of one ``ElementType`` with value semantics (copy on write).
///
/// Storage is 64-byte aligned. Constants read from a `.bin` borrow the mapped file instead of
/// copying it; the first write makes a private copy.
public struct Tensor: @unchecked Sendable {
    /// The dimensions, outermost first. A scalar has shape `[]`.
    public var shape: [Int]
    public var elementType: ElementType
    package private(set) var buffer: TensorBuffer

    /// Number of elements (the product of `shape`).
    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }
    /// Bytes of the element data.
    public var byteCount: Int { elementType.byteCount(for: count) }

    /// A zero-filled tensor.
    public init(zeros elementType: ElementType, shape: [Int]) {
        self.shape = shape
        self.elementType = elementType
        self.buffer = TensorBuffer(byteCount: elementType.byteCount(for: shape.reduce(1, *)))
    }

    /// A tensor whose bytes the caller fills (every byte) before reading.
    package init(uninitialized elementType: ElementType, shape: [Int]) {
        self.shape = shape
        self.elementType = elementType
        self.buffer = TensorBuffer(uninitializedByteCount: elementType.byteCount(for: shape.reduce(1, *)))
    }

    /// A tensor over an existing buffer (which must hold at least `elementType.byteCount(for: count)` bytes).
    package init(elementType: ElementType, shape: [Int], buffer: TensorBuffer) {
        self.shape = shape
        self.elementType = elementType
        self.buffer = buffer
    }

    /// An f32 tensor. `scalars.count` must equal the product of `shape`.
    public init(shape: [Int], scalars: [Float]) {
        self.init(shape: shape, scalars: scalars as [Float], type: Float.self)
    }

    /// A tensor of `T`'s element type. `scalars.count` must equal the product of `shape`.
    public init<T: TensorScalar>(shape: [Int], scalars: [T]) {
        self.init(shape: shape, scalars: scalars, type: T.self)
    }

    private init<T: TensorScalar>(shape: [Int], scalars: [T], type: T.Type) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor: shape \(shape) holds \(shape.reduce(1, *)) elements, \(scalars.count) given")
        self.init(uninitialized: T.elementType, shape: shape)
        scalars.withUnsafeBytes { src in
            if src.count > 0 { buffer.bytes.copyMemory(from: src.baseAddress!, byteCount: src.count) }
        }
    }

    /// A scalar (rank-0) tensor.
    public init<T: TensorScalar>(scalar: T) { self.init(shape: [], scalars: [scalar]) }

    /// The elements as `T`; throws when `T` is not this tensor's element type.
    public func scalars<T: TensorScalar>(as: T.Type) throws -> [T] {
        try withUnsafeBufferPointer(as: T.self) { Array($0) }
    }

    /// Read access to the elements as `T`; throws when `T` is not this tensor's element type.
    public func withUnsafeBufferPointer<T: TensorScalar, R>(as: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) throws -> R {
        guard T.elementType == elementType else {
            throw OVIRError("tensor element type is \(elementType.rawValue), but \(T.elementType.rawValue) (\(T.self)) was requested")
        }
        return try body(UnsafeBufferPointer(start: buffer.bytes.assumingMemoryBound(to: T.self), count: count))
    }

    /// Write access to the elements as `T`; throws when `T` is not this tensor's element type.
    public mutating func withUnsafeMutableBufferPointer<T: TensorScalar, R>(as: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) throws -> R {
        guard T.elementType == elementType else {
            throw OVIRError("tensor element type is \(elementType.rawValue), but \(T.elementType.rawValue) (\(T.self)) was requested")
        }
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: buffer.bytes.assumingMemoryBound(to: T.self), count: count))
    }

    /// Read access to the raw bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: buffer.bytes, count: byteCount))
    }

    /// Write access to the raw bytes.
    public mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableRawBufferPointer(start: buffer.bytes, count: byteCount))
    }

    /// Unchecked typed pointers for kernels (the caller has checked the element type).
    package var rawPointer: UnsafeMutableRawPointer { buffer.bytes }
    package func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> { buffer.bytes.assumingMemoryBound(to: T.self) }

    /// Makes the storage private to this value (copy on write, and always for borrowed regions).
    package mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&buffer) || buffer.isReadOnly { buffer = buffer.copy() }
    }

    /// Whether this value holds the only reference to its buffer.
    package mutating func hasUniqueBuffer() -> Bool {
        isKnownUniquelyReferenced(&buffer)
    }

    /// The same elements with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        guard newShape.reduce(1, *) == count, newShape.allSatisfy({ $0 >= 0 }) else {
            throw OVIRError("cannot reshape a tensor of shape \(shape) (\(count) elements) to \(newShape)")
        }
        var t = self
        t.shape = newShape
        return t
    }

    /// The `index`-th item along axis 0, keeping a leading 1 (numpy's `x[i:i+1]`).
    public func slice(batch index: Int) throws -> Tensor {
        guard let n = shape.first else { throw OVIRError("cannot slice a scalar tensor along axis 0") }
        guard index >= 0 && index < n else {
            throw OVIRError("batch index \(index) is out of range: axis 0 has \(n) items")
        }
        var itemShape = shape
        itemShape[0] = 1
        let itemCount = itemShape.reduce(1, *)
        guard elementType.bitWidth >= 8 else {
            // Packed types: go through unpacked values.
            let all = int64Values()
            return Tensor(packing: Array(all[(index * itemCount)..<((index + 1) * itemCount)]), as: elementType, shape: itemShape)
        }
        var out = Tensor(uninitialized: elementType, shape: itemShape)
        let w = elementType.byteWidth
        out.buffer.bytes.copyMemory(from: buffer.bytes + index * itemCount * w, byteCount: itemCount * w)
        return out
    }

    /// Bitwise equality of element type, shape and bytes.
    public func isIdentical(to other: Tensor) -> Bool {
        guard shape == other.shape, elementType == other.elementType else { return false }
        return withUnsafeBytes { a in other.withUnsafeBytes { b in a.elementsEqual(b) } }
    }
}
