#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `Const` layers: `<data element_type shape offset size>` checked against the weights file, then a
/// ``Tensor`` that borrows the mapped bytes.
extension IRGraphParser {
    /// The largest element count accepted for one constant (2^40): refused before anything is allocated.
    static let maxConstantElements = 1 << 40

    func makeConstant(_ node: Node) throws -> Tensor {
        let a = node.attributes
        guard let typeName = a["element_type"] else {
            throw fail(node.label, "<data>: expected an element_type attribute, found none")
        }
        guard let elementType = ElementType(irName: typeName) else {
            throw unsupportedType(typeName, node: node, what: "element_type")
        }
        guard let shapeText = a["shape"] else {
            throw fail(node.label, "<data>: expected a shape attribute, found none")
        }
        let partial = try parsePartialShape(shapeText, node: node)
        guard let shape = partial.staticShape else {
            throw fail(node.label, "shape \"\(shapeText)\": expected a static shape for a constant, found \(partial)")
        }
        var count = 1
        for d in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, p <= Self.maxConstantElements else {
                throw fail(node.label, "shape \(shape): expected at most 2^40 elements in a constant, found more")
            }
            count = p
        }
        let expectedSize = elementType.byteCount(for: count)   // count <= 2^40, so no overflow
        let offset = try byteAttribute("offset", node: node)
        let size = try byteAttribute("size", node: node)
        guard size == expectedSize else {
            throw fail(node.label, "size: expected \(expectedSize) bytes (\(count) elements of \(elementType.rawValue), "
                        + "shape \(shape)), found \(size)")
        }
        if size == 0 { return Tensor(zeros: elementType, shape: shape) }
        guard let weights else {
            throw fail(node.label, "needs \(size) bytes at offset \(offset) of the weights, but \(missingWeightsReason ?? "no weights file was given")")
        }
        guard let bytes = weights.bytes(offset: offset, count: size) else {
            throw fail(node.label, "offset \(offset) + size \(size) is beyond the end of \(weights.displayName) "
                        + "(\(weights.byteCount) bytes); expected the range to lie inside the weights file")
        }
        let width = max(1, elementType.byteWidth)
        let buffer: TensorBuffer
        if Int(bitPattern: bytes) % width == 0 {
            buffer = TensorBuffer(borrowing: bytes, byteCount: size, owner: weights)
        } else {
            // Misaligned for its element size: kernels load whole elements, so keep an aligned copy.
            buffer = TensorBuffer(uninitializedByteCount: size)
            buffer.bytes.copyMemory(from: bytes, byteCount: size)
        }
        return Tensor(elementType: elementType, shape: shape, buffer: buffer)
    }

    /// A non-negative integer byte count from `<data>` (offset, size).
    private func byteAttribute(_ key: String, node: Node) throws -> Int {
        guard let text = node.attributes[key] else {
            throw fail(node.label, "<data>: expected a \(key) attribute, found none")
        }
        guard let v = irInt(text), v >= 0 else {
            throw fail(node.label, "\(key): expected a non-negative integer, found \"\(text)\"")
        }
        return v
    }
}
