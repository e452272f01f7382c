import OVIR

extension QuantizerPlacement {
    /// Inserts one planned FakeQuantize (see ``insertFakeQuantize(graph:plan:ranges:)``).
    static func insert(_ graph: Graph, _ q: PlannedQuantizer, _ r: QuantizerRanges, reshapeNames: [String: String] = [:]) throws {
        let producer = try node(graph, q.producer.node)
        guard q.producer.output < producer.outputs.count else {
            throw PlacementError("FakeQuantize '\(q.name)': layer '\(producer.name)' has no output \(q.producer.output)")
        }
        let original = producer.output(q.producer.output)
        var consumers: [(Node, Int)] = []
        for e in q.consumers {
            var n = try node(graph, e.node), input = e.input
            // Const → Reshape → GroupConvolution: POT's view has no Reshape; quantize before it.
            if n.type == "GroupConvolution", input == 1, let via = n.inputs[1].source?.node, via.type == "Reshape",
               via.inputs.first?.source == original {
                n = via
                input = 0
            }
            guard input < n.inputs.count, n.inputs[input].source == original else {
                throw PlacementError("FakeQuantize '\(q.name)': input \(e.input) of '\(n.name)' does not read '\(producer.name)'")
            }
            consumers.append((n, input))
        }
        var source = original
        var reshapeTo: [Int]? = nil
        if q.kind == .weights, consumers.count == 1, consumers[0].0.type == "GroupConvolution", consumers[0].1 == 1,
           let shape = original.port.shape.staticShape, shape.count >= 3,
           let dataRank = consumers[0].0.inputs.first?.shape.rank, shape.count == dataRank + 1 {
            // POT quantizes grouped weights in convolution form and reshapes them back after the FakeQuantize.
            reshapeTo = shape
            let merged = [shape[0] * shape[1]] + shape.dropFirst(2)
            if let t = constant(behind: original) {
                source = try replaceConstant(graph, original, with: t.reshaped(merged))
            } else {   // weights computed from constants (POT folds them): reshape with an op
                source = makeReshape(graph, "\(q.name)/group_merge", original, to: merged)
            }
        }
        if q.saturationRescale {
            if let t = constant(behind: source) {
                source = try replaceConstant(graph, source, with: try halve(t))
            } else {   // folded weights: the same halving as an op
                let half = makeConst(graph, "\(q.name)/saturation_scale", Tensor(doubles: [0.5], as: source.port.elementType, shape: []))
                source = makeOp(graph, "\(q.name)/saturation_rescale", "Multiply", [source, half.output(0)],
                                attributes: [IRAttribute("auto_broadcast", "numpy")],
                                output: OutputPort(portID: 2, elementType: source.port.elementType, shape: source.port.shape)).output(0)
            }
        }
        let fq = makeFakeQuantize(graph, q, source: source, ranges: r)
        if let shape = reshapeTo {
            let name = reshapeNames[consumers[0].0.name] ?? "\(q.name)/reshape"
            consumers[0].0.inputs[1].source = makeReshape(graph, name, fq.output(0), to: shape)
        } else {
            for (n, i) in consumers { n.inputs[i].source = fq.output(0) }
        }
    }

    /// `Reshape(source, shape)` with the shape as an i64 Const named `<name>/shape`.
    static func makeReshape(_ graph: Graph, _ name: String, _ source: OutputRef, to shape: [Int]) -> OutputRef {
        let shapeConst = makeConst(graph, name + "/shape", Tensor(shape: [shape.count], scalars: shape.map(Int64.init)))
        return makeOp(graph, name, "Reshape", [source, shapeConst.output(0)], attributes: [IRAttribute("special_zero", "false")],
                      output: OutputPort(portID: 2, elementType: source.port.elementType, shape: PartialShape(static: shape))).output(0)
    }

    /// The value of a Const, or of a Const under a Convert (compressed f16 weights, which POT treats as
    /// a constant and restores as Const → Convert when saving).
    static func constant(behind output: OutputRef) -> Tensor? {
        if output.node.type == "Const" { return output.node.constant }
        if output.node.type == "Convert", let src = output.node.inputs.first?.source, src.node.type == "Const" {
            return src.node.constant
        }
        return nil
    }

    /// A Const holding `value` in place of `output` (the same node when nothing else reads it). For a
    /// Convert of a Const, the Const is replaced and the Convert kept.
    static func replaceConstant(_ graph: Graph, _ output: OutputRef, with value: Tensor) throws -> OutputRef {
        let n = output.node
        if n.type == "Convert", let src = n.inputs.first?.source, src.node.type == "Const" {
            let newSource = try replaceConstant(graph, src, with: value)
            let target: Node
            if graph.consumers(of: output).count <= 1 {
                target = n
            } else {
                target = makeOp(graph, n.name + "/quantized", "Convert", [newSource], attributes: n.attributes.entries,
                                output: n.outputs[0])
            }
            target.inputs[0].source = newSource
            target.inputs[0].shape = PartialShape(static: value.shape)
            target.outputs[0].shape = PartialShape(static: value.shape)
            return target.output(0)
        }
        guard n.type == "Const" else { throw PlacementError("layer '\(n.name)' is not a Const") }
        if graph.consumers(of: output).count <= 1 {
            n.constant = value
            n.attributes["shape"] = value.shape.map(String.init).joined(separator: ",")
            n.outputs[0].shape = PartialShape(static: value.shape)
            return output
        }
        return makeConst(graph, n.name + "/quantized", value).output(0)
    }

    static func makeFakeQuantize(_ graph: Graph, _ q: PlannedQuantizer, source: OutputRef, ranges r: QuantizerRanges) -> Node {
        let consts = [("input_low", r.inputLow), ("input_high", r.inputHigh), ("output_low", r.outputLow), ("output_high", r.outputHigh)]
            .map { makeConst(graph, "\(q.name)/\($0.0)", $0.1).output(0) }
        return makeOp(graph, q.name, "FakeQuantize", [source] + consts,
                      attributes: [IRAttribute("levels", String(q.levels)), IRAttribute("auto_broadcast", "numpy")],
                      output: OutputPort(portID: 5, elementType: source.port.elementType, shape: source.port.shape))
    }
}
