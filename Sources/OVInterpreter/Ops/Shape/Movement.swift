#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Shared helpers of the data-movement families (ShapeOps, IndexingOps, SortingOps): axis
/// normalisation, reading index inputs, and byte-level strided copies that work for every element
/// type of whole bytes.
enum Movement {
    /// Bytes per element; a clear error for the packed sub-byte types, which these kernels do not move.
    static func elementSize(_ type: ElementType, _ op: String) throws -> Int {
        guard type.bitWidth >= 8 else {
            throw OVIRError("\(op): element type \(type.rawValue) is packed (sub-byte); expected a type of whole bytes")
        }
        return type.byteWidth
    }

    /// `axis` in `[-rank, rank)` normalised to `[0, rank)`.
    static func axis(_ axis: Int, rank: Int, _ what: String) throws -> Int {
        guard axis >= -rank && axis < rank else {
            throw OVIRError("\(what) \(axis) is out of range; expected a value in [\(-rank), \(rank - 1)] for rank \(rank)")
        }
        return axis < 0 ? axis + rank : axis
    }

    /// The elements of an integer (or float) tensor as Int.
    static func ints(_ t: Tensor) -> [Int] {
        if t.elementType == .i64 {
            return UnsafeBufferPointer(start: t.pointer(Int64.self), count: t.count).map { Int($0) }
        }
        if t.elementType == .i32 {
            return UnsafeBufferPointer(start: t.pointer(Int32.self), count: t.count).map { Int($0) }
        }
        return t.int64Values().map { Int($0) }
    }

    /// The single value of a scalar or one-element tensor.
    static func scalarInt(_ t: Tensor, _ what: String) throws -> Int {
        guard t.count == 1 else { throw OVIRError("\(what) must hold one value, found shape \(t.shape)") }
        return Int(t.int64Value(at: 0))
    }

    /// A ValueInfo's integer values when known.
    static func knownInts(_ info: ValueInfo) -> [Int]? { info.value.map(ints) }

    /// Requires an index-typed input (any integer type).
    static func requireInteger(_ info: ValueInfo, _ what: String) throws {
        guard info.elementType.isInteger else {
            throw OVIRError("\(what) must have an integer element type, found \(info.elementType.rawValue)")
        }
    }

    /// Parses an index/output element type attribute restricted to i32/i64.
    static func indexType(_ attributes: Attributes, _ key: String, default d: String = "i64") throws -> ElementType {
        let s = try attributes.choice(key, ["i32", "i64"], default: d)
        return s == "i32" ? .i32 : .i64
    }

    /// Writes integer values into an i32/i64 (or any) tensor.
    static func storeInts(_ values: UnsafeBufferPointer<Int>, into t: inout Tensor) {
        switch t.elementType {
        case .i64:
            let p = t.pointer(Int64.self)
            for (i, v) in values.enumerated() { p[i] = Int64(v) }
        case .i32:
            let p = t.pointer(Int32.self)
            for (i, v) in values.enumerated() { p[i] = Int32(truncatingIfNeeded: v) }
        default:
            for (i, v) in values.enumerated() { t.setDouble(Double(v), at: i) }
        }
    }

    static func storeInts(_ values: [Int], into t: inout Tensor) {
        values.withUnsafeBufferPointer { storeInts($0, into: &t) }
    }

    /// A new tensor of `type` holding integer `values`.
    static func intTensor(_ values: [Int], _ type: ElementType, shape: [Int]) -> Tensor {
        var t = Tensor(zeros: type, shape: shape)
        storeInts(values, into: &t)
        return t
    }

    /// Copies the box `shape` from `src` (element strides `srcStrides`, may be 0 or negative) to `dst`
    /// (element strides `dstStrides`). Both pointers point at the box's first element. Axes that are
    /// contiguous in both are merged so that the innermost run becomes one memcpy.
    static func copyBox(_ shape: [Int], src: UnsafeRawPointer, _ srcStrides: [Int],
                        dst: UnsafeMutableRawPointer, _ dstStrides: [Int], elementSize es: Int) {
        if shape.contains(0) { return }
        // Drop size-1 axes, then merge neighbours that are contiguous in both.
        var dims: [(n: Int, s: Int, d: Int)] = []
        for k in shape.indices where shape[k] != 1 { dims.append((shape[k], srcStrides[k], dstStrides[k])) }
        var merged: [(n: Int, s: Int, d: Int)] = []
        for x in dims {
            if let last = merged.last, last.s == x.s * x.n, last.d == x.d * x.n {
                merged[merged.count - 1] = (last.n * x.n, x.s, x.d)
            } else {
                merged.append(x)
            }
        }
        if merged.isEmpty { dst.copyMemory(from: src, byteCount: es); return }
        let inner = merged.removeLast()
        let r = merged.count
        var idx = [Int](repeating: 0, count: r)
        var so = 0, doff = 0
        while true {
            copyRun(inner.n, src: src + so * es, inner.s, dst: dst + doff * es, inner.d, es)
            var k = r - 1
            while k >= 0 {
                idx[k] += 1
                so += merged[k].s
                doff += merged[k].d
                if idx[k] < merged[k].n { break }
                so -= merged[k].s * merged[k].n
                doff -= merged[k].d * merged[k].n
                idx[k] = 0
                k -= 1
            }
            if k < 0 { return }
        }
    }

    /// Copies `n` elements read with stride `ss` and written with stride `ds` (in elements).
    @inline(__always)
    static func copyRun(_ n: Int, src: UnsafeRawPointer, _ ss: Int, dst: UnsafeMutableRawPointer, _ ds: Int, _ es: Int) {
        if ss == 1 && ds == 1 { dst.copyMemory(from: src, byteCount: n * es); return }
        switch es {
        case 1: run(UInt8.self, n, src, ss, dst, ds)
        case 2: run(UInt16.self, n, src, ss, dst, ds)
        case 4: run(UInt32.self, n, src, ss, dst, ds)
        case 8: run(UInt64.self, n, src, ss, dst, ds)
        default:
            for i in 0..<n { (dst + i * ds * es).copyMemory(from: src + i * ss * es, byteCount: es) }
        }
    }

    @inline(__always)
    private static func run<T>(_: T.Type, _ n: Int, _ src: UnsafeRawPointer, _ ss: Int, _ dst: UnsafeMutableRawPointer, _ ds: Int) {
        let s = src.assumingMemoryBound(to: T.self), d = dst.assumingMemoryBound(to: T.self)
        for i in 0..<n { d[i * ds] = s[i * ss] }
    }

    /// Copies a whole tensor's bytes into a preallocated output of the same byte size.
    static func copyAll(_ input: Tensor, into out: inout Tensor) {
        let n = Swift.min(input.byteCount, out.byteCount)
        if n > 0 { out.rawPointer.copyMemory(from: input.rawPointer, byteCount: n) }
    }

    /// Fills `count` elements at `dst` with the element at `value`.
    static func fill(_ dst: UnsafeMutableRawPointer, count: Int, with value: UnsafeRawPointer, elementSize es: Int) {
        if count == 0 { return }
        dst.copyMemory(from: value, byteCount: es)
        var filled = 1
        while filled < count {
            let n = Swift.min(filled, count - filled)
            (dst + filled * es).copyMemory(from: dst, byteCount: n * es)
            filled += n
        }
    }

    /// The element offset `Σ i[k] * strides[k]` of every multi-index of `shape`, in C order.
    static func offsets(_ shape: [Int], _ strides: [Int]) -> [Int] {
        var out = [0]
        for k in shape.indices {
            let n = shape[k], s = strides[k]
            var next: [Int] = []
            next.reserveCapacity(out.count * n)
            for o in out { for i in 0..<n { next.append(o + i * s) } }
            out = next
        }
        return out
    }

    /// `base` to the power `exp` (small non-negative exponents).
    static func ipow(_ base: Int, _ exp: Int) -> Int { (0..<Swift.max(exp, 0)).reduce(1) { r, _ in r * base } }

    /// The output partial shape of a 1-D shape input of static length `n` with no known values.
    static func dynamicDims(_ n: Int) -> PartialShape { PartialShape(Array(repeating: .dynamic, count: n)) }
}
