/// Indexing ops: Gather, GatherElements, GatherND, ScatterElementsUpdate, ScatterNDUpdate,
/// ScatterUpdate, NonZero, Unique, CumSum.
enum IndexingOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("Gather", 1) { _ in GatherKernel(batchDims: 0) },
        OpDefinition("Gather", 7) { n in GatherKernel(batchDims: try n.attributes.int("batch_dims", default: 0)) },
        OpDefinition("Gather", 8) { n in GatherKernel(batchDims: try n.attributes.int("batch_dims", default: 0)) },
        OpDefinition("GatherElements", 6) { n in GatherElementsKernel(axis: try n.attributes.int("axis")) },
        OpDefinition("GatherND", 5) { n in GatherNDKernel(batchDims: try n.attributes.int("batch_dims", default: 0), flattenBatch: true) },
        OpDefinition("GatherND", 8) { n in GatherNDKernel(batchDims: try n.attributes.int("batch_dims", default: 0), flattenBatch: false) },
        OpDefinition("ScatterElementsUpdate", 3) { n in try ScatterElementsUpdateKernel(n.attributes, version: 3) },
        OpDefinition("ScatterElementsUpdate", 12) { n in try ScatterElementsUpdateKernel(n.attributes, version: 12) },
        OpDefinition("ScatterNDUpdate", 3) { n in try ScatterNDUpdateKernel(n.attributes, version: 3) },
        OpDefinition("ScatterNDUpdate", 15) { n in try ScatterNDUpdateKernel(n.attributes, version: 15) },
        OpDefinition("ScatterUpdate", 3) { _ in ScatterUpdateKernel() },
        OpDefinition("NonZero", 3) { n in NonZeroKernel(outputType: try Movement.indexType(n.attributes, "output_type")) },
        OpDefinition("Unique", 10) { n in try UniqueKernel(n.attributes) },
        OpDefinition("CumSum", 3) { n in
            CumSumKernel(exclusive: try n.attributes.bool("exclusive", default: false), reverse: try n.attributes.bool("reverse", default: false))
        },
    ]
}

/// NonZero-3: the coordinates of the non-zero elements, as a `[rank, count]` tensor in C order.
final class NonZeroKernel: Kernel {
    let outputType: ElementType
    init(outputType: ElementType) { self.outputType = outputType }
    var allocatesOutputs: Bool { true }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 1 else { throw OVIRError("NonZero expects 1 input, found \(inputs.count)") }
        let rank: Dimension = inputs[0].shape.rank.map { .fixed($0) } ?? .dynamic
        return [ValueInfo(outputType, PartialShape([rank, .dynamic]))]
    }

    struct Find: MovementTask {
        let p: UnsafeRawPointer, n: Int
        let found: UnsafeMutablePointer<[Int]>
        func callAsFunction<T: MovementNumber>(_: T.Type) throws {
            let x = p.assumingMemoryBound(to: T.self)
            for i in 0..<n where x[i] != 0 { found.pointee.append(i) }
        }
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        var flat: [Int] = []
        if x.elementType == .bf16 {
            let p = x.pointer(UInt16.self)
            for i in 0..<x.count where p[i] & 0x7FFF != 0 { flat.append(i) }
        } else if x.elementType.bitWidth < 8 {
            for i in 0..<x.count where x.int64Value(at: i) != 0 { flat.append(i) }
        } else {
            try withUnsafeMutablePointer(to: &flat) { try Movement.dispatch(x.elementType, "NonZero", Find(p: x.rawPointer, n: x.count, found: $0)) }
        }
        let r = x.rank, strides = contiguousStrides(x.shape)
        var coords = [Int](repeating: 0, count: r * flat.count)
        for (j, f) in flat.enumerated() {
            for k in 0..<r { coords[k * flat.count + j] = (f / strides[k]) % x.shape[k] }
        }
        outputs.append(Movement.intTensor(coords, outputType, shape: [r, flat.count]))
    }
}

/// CumSum-3: running sums along the axis input (`exclusive` leaves out the element itself,
/// `reverse` sums from the end).
final class CumSumKernel: Kernel {
    let exclusive, reverse: Bool
    init(exclusive: Bool, reverse: Bool) { self.exclusive = exclusive; self.reverse = reverse }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 1 || inputs.count == 2 else { throw OVIRError("CumSum expects 1 or 2 inputs (data[, axis]), found \(inputs.count)") }
        return [ValueInfo(inputs[0].elementType, inputs[0].shape)]
    }

    struct Sum: MovementTask {
        let src: UnsafeRawPointer, dst: UnsafeMutableRawPointer
        let outer, n, inner: Int
        let exclusive, reverse: Bool
        func callAsFunction<T: MovementNumber>(_: T.Type) throws {
            let x = src.assumingMemoryBound(to: T.self), y = dst.assumingMemoryBound(to: T.self)
            for o in 0..<outer {
                for i in 0..<inner {
                    var acc: T = 0
                    for step in 0..<n {
                        let j = reverse ? n - 1 - step : step
                        let at = (o * n + j) * inner + i
                        if exclusive { y[at] = acc; acc += x[at] } else { acc += x[at]; y[at] = acc }
                    }
                }
            }
        }
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        if x.rank == 0 { Movement.copyAll(x, into: &outputs[0]); return }
        let a = try Movement.axis(inputs.count == 2 ? try Movement.scalarInt(inputs[1], "CumSum axis") : 0, rank: x.rank, "CumSum axis")
        let s = x.shape
        try Movement.dispatch(x.elementType, "CumSum", Sum(src: x.rawPointer, dst: outputs[0].rawPointer,
                                                            outer: s[..<a].reduce(1, *), n: s[a], inner: s[(a + 1)...].reduce(1, *),
                                                            exclusive: exclusive, reverse: reverse))
    }
}
