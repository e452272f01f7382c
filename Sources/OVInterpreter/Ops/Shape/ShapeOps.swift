/// Shape and data-movement ops: ShapeOf, Reshape, Squeeze, Unsqueeze, Transpose, Concat, Split,
/// VariadicSplit, StridedSlice, Slice, Tile, Broadcast, Range, Pad, Reverse, ReverseSequence,
/// DepthToSpace, SpaceToDepth, Eye, OneHot, Identity.
enum ShapeOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("ShapeOf", 1) { _ in ShapeOfKernel(outputType: .i64) },
        OpDefinition("ShapeOf", 3) { n in ShapeOfKernel(outputType: try Movement.indexType(n.attributes, "output_type")) },
        OpDefinition("Reshape", 1) { n in ReshapeKernel(specialZero: try n.attributes.bool("special_zero", default: false)) },
        OpDefinition("Squeeze", 1) { _ in SqueezeKernel(allowAxisSkip: false) },
        OpDefinition("Squeeze", 15) { n in SqueezeKernel(allowAxisSkip: try n.attributes.bool("allow_axis_skip", default: false)) },
        OpDefinition("Unsqueeze", 1) { _ in UnsqueezeKernel() },
        OpDefinition("Identity", 16) { _ in IdentityKernel() },
        OpDefinition("Transpose", 1) { _ in TransposeKernel() },
        OpDefinition("Concat", 1) { n in ConcatKernel(axis: try n.attributes.int("axis")) },
        OpDefinition("Split", 1) { n in SplitKernel(numSplits: try n.attributes.int("num_splits")) },
        OpDefinition("VariadicSplit", 1) { _ in VariadicSplitKernel() },
        OpDefinition("StridedSlice", 1) { n in try StridedSliceKernel(n.attributes) },
        OpDefinition("Slice", 8) { _ in SliceKernel() },
        OpDefinition("Tile", 1) { _ in TileKernel() },
        OpDefinition("Broadcast", 1) { n in try BroadcastKernel(n.attributes, version: 1) },
        OpDefinition("Broadcast", 3) { n in try BroadcastKernel(n.attributes, version: 3) },
        OpDefinition("Range", 1) { _ in RangeKernel(outputType: nil) },
        OpDefinition("Range", 4) { n in
            guard let t = ElementType(irName: try n.attributes.string("output_type")) else {
                throw OVIRError("attribute 'output_type': expected an element type, found \"\(n.attributes["output_type"] ?? "")\"")
            }
            return RangeKernel(outputType: t)
        },
        OpDefinition("Pad", 1) { n in try PadKernel(n.attributes, allowNegative: false) },
        OpDefinition("Pad", 12) { n in try PadKernel(n.attributes, allowNegative: true) },
        OpDefinition("Reverse", 1) { n in ReverseKernel(maskMode: try n.attributes.choice("mode", ["index", "mask"]) == "mask") },
        OpDefinition("ReverseSequence", 1) { n in
            ReverseSequenceKernel(batchAxis: try n.attributes.int("batch_axis", default: 0), seqAxis: try n.attributes.int("seq_axis", default: 1))
        },
        OpDefinition("DepthToSpace", 1) { n in try SpaceDepthKernel(n.attributes, toSpace: true) },
        OpDefinition("SpaceToDepth", 1) { n in try SpaceDepthKernel(n.attributes, toSpace: false) },
        OpDefinition("Eye", 9) { n in try EyeKernel(n.attributes) },
        OpDefinition("OneHot", 1) { n in OneHotKernel(axis: try n.attributes.int("axis")) },
    ]
}

/// ShapeOf-1 / ShapeOf-3: the input's shape as a 1-D i64 (or `output_type`) tensor. Its value is
/// known from a static shape alone, so shape sub-graphs fold when the model is compiled.
final class ShapeOfKernel: Kernel {
    let outputType: ElementType
    init(outputType: ElementType) { self.outputType = outputType }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 1 else { throw OVIRError("ShapeOf expects 1 input, found \(inputs.count)") }
        guard let rank = inputs[0].shape.rank else { return [ValueInfo(outputType, PartialShape([.dynamic]))] }
        let value = inputs[0].shape.staticShape.map { Movement.intTensor($0, outputType, shape: [$0.count]) }
        return [ValueInfo(outputType, [rank], value: value)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        Movement.storeInts(inputs[0].shape, into: &outputs[0])
    }
}

/// Identity-16: a copy of the input.
final class IdentityKernel: Kernel {
    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 1 else { throw OVIRError("Identity expects 1 input, found \(inputs.count)") }
        return [ValueInfo(inputs[0].elementType, inputs[0].shape)]
    }
    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        Movement.copyAll(inputs[0], into: &outputs[0])
    }
}

/// Reshape-1: the same elements with the shape of the second input (`-1` inferred; `0` copies the
/// input dim when `special_zero`).
final class ReshapeKernel: Kernel {
    let specialZero: Bool
    init(specialZero: Bool) { self.specialZero = specialZero }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("Reshape expects 2 inputs (data, shape), found \(inputs.count)") }
        let data = inputs[0]
        guard let target = Movement.knownInts(inputs[1]) else {
            if let n = inputs[1].shape.staticShape, n.count <= 1 { return [ValueInfo(data.elementType, Movement.dynamicDims(n.first ?? 1))] }
            return [ValueInfo(data.elementType, .dynamicRank)]
        }
        guard target.filter({ $0 == -1 }).count <= 1 else { throw OVIRError("Reshape: target shape \(target) has more than one -1") }
        var dims: [Dimension] = []
        for (i, v) in target.enumerated() {
            if v == 0 && specialZero {
                guard let d = data.shape.dims, i < d.count else {
                    if data.shape.dims == nil { dims.append(.dynamic); continue }
                    throw OVIRError("Reshape: target shape \(target) copies dim \(i) (special_zero) but the input \(data.shape) has rank \(data.shape.rank ?? 0)")
                }
                dims.append(d[i])
            } else if v == -1 {
                dims.append(.dynamic)
            } else if v < -1 {
                throw OVIRError("Reshape: target shape \(target) has a negative dim \(v); expected -1 or a size")
            } else {
                dims.append(.fixed(v))
            }
        }
        if let inShape = data.shape.staticShape {
            let total = inShape.reduce(1, *)
            let known = dims.compactMap(\.staticValue).reduce(1, *)
            if let m = target.firstIndex(of: -1) {
                if known == 0 {
                    guard total == 0 else { throw OVIRError("Reshape: cannot infer -1 in \(target) for input \(inShape)") }
                    dims[m] = .fixed(0)
                } else {
                    guard total % known == 0 else { throw OVIRError("Reshape: input \(inShape) (\(total) elements) does not fit target \(target)") }
                    dims[m] = .fixed(total / known)
                }
            } else if known != total {
                throw OVIRError("Reshape: input \(inShape) has \(total) elements but the target shape \(dims.map(\.description)) holds \(known)")
            }
        }
        return [ValueInfo(data.elementType, PartialShape(dims))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        Movement.copyAll(inputs[0], into: &outputs[0])
    }
}

/// Squeeze-1 / Squeeze-15: removes the size-1 dims listed in the optional axes input (all size-1
/// dims without it).
final class SqueezeKernel: Kernel {
    let allowAxisSkip: Bool
    init(allowAxisSkip: Bool) { self.allowAxisSkip = allowAxisSkip }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 1 || inputs.count == 2 else { throw OVIRError("Squeeze expects 1 or 2 inputs, found \(inputs.count)") }
        let data = inputs[0]
        guard let dims = data.shape.dims else { return [ValueInfo(data.elementType, .dynamicRank)] }
        if inputs.count == 2 {
            guard let raw = Movement.knownInts(inputs[1]) else { return [ValueInfo(data.elementType, .dynamicRank)] }
            if !raw.isEmpty {
                let axes = Set(try raw.map { try Movement.axis($0, rank: dims.count, "Squeeze axis") })
                var out: [Dimension] = []
                for (k, d) in dims.enumerated() {
                    guard axes.contains(k) else { out.append(d); continue }
                    if d == .fixed(1) { continue }
                    if allowAxisSkip { out.append(d); continue }
                    if d.isStatic { throw OVIRError("Squeeze: axis \(k) has size \(d); only axes of size 1 can be removed") }
                    // A dynamic dim named by axes is assumed to be 1.
                }
                return [ValueInfo(data.elementType, PartialShape(out))]
            }
        }
        if dims.contains(where: { !$0.isStatic }) { return [ValueInfo(data.elementType, .dynamicRank)] }
        return [ValueInfo(data.elementType, PartialShape(dims.filter { $0 != .fixed(1) }))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        Movement.copyAll(inputs[0], into: &outputs[0])
    }
}

/// Unsqueeze-1: inserts size-1 dims at the given axes (normalised against the output rank).
final class UnsqueezeKernel: Kernel {
    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("Unsqueeze expects 2 inputs (data, axes), found \(inputs.count)") }
        let data = inputs[0]
        guard let dims = data.shape.dims, let raw = Movement.knownInts(inputs[1]) else {
            return [ValueInfo(data.elementType, .dynamicRank)]
        }
        let outRank = dims.count + Set(raw).count
        let axes = Set(try raw.map { try Movement.axis($0, rank: outRank, "Unsqueeze axis") })
        let finalRank = dims.count + axes.count
        var out: [Dimension] = []
        var it = dims.makeIterator()
        for k in 0..<finalRank { out.append(axes.contains(k) ? .fixed(1) : (it.next() ?? .fixed(1))) }
        return [ValueInfo(data.elementType, PartialShape(out))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        Movement.copyAll(inputs[0], into: &outputs[0])
    }
}
