import OVIR

/// The four range constants of one FakeQuantize (shaped as ``PlannedQuantizer/rangeShape``, or any
/// shape that broadcasts against the quantized tensor).
package struct QuantizerRanges: Sendable {
    package var inputLow: Tensor
    package var inputHigh: Tensor
    package var outputLow: Tensor
    package var outputHigh: Tensor
    package init(inputLow: Tensor, inputHigh: Tensor, outputLow: Tensor, outputHigh: Tensor) {
        self.inputLow = inputLow
        self.inputHigh = inputHigh
        self.outputLow = outputLow
        self.outputHigh = outputHigh
    }
}

extension QuantizerPlacement {
    /// Rewrites `graph` into the model POT saves: zero biases and transposed MatMul weights first
    /// (the plan's preprocessing), then one FakeQuantize per planned quantizer, reading its producer and
    /// feeding its consumers, with its four ranges as Const inputs. GroupConvolution weights are
    /// quantized in convolution form (`[groups*out, in, k…]`) and reshaped back afterwards, as POT's
    /// IR has them. Weights of quantizers with ``PlannedQuantizer/saturationRescale`` are halved (POT's
    /// saturation fix; their ranges must carry the doubled output range). Layer names are kept.
    package static func insertFakeQuantize(graph: Graph, plan: PlacementPlan, ranges: [String: QuantizerRanges]) throws {
        for conv in plan.zeroBiasConvolutions { try insertZeroBias(graph, conv: conv) }
        for name in plan.transposedMatMulWeights { try transposeWeights(graph, matmul: name) }
        for q in plan.quantizers {
            guard let r = ranges[q.name] else { throw PlacementError("no ranges for FakeQuantize '\(q.name)'") }
            try insert(graph, q, r, reshapeNames: plan.groupWeightsReshapeNames)
        }
    }

    static func node(_ graph: Graph, _ name: String) throws -> Node {
        guard let n = graph.node(named: name) else { throw PlacementError("the plan names layer '\(name)', which the graph does not have") }
        return n
    }

    static func makeConst(_ graph: Graph, _ name: String, _ t: Tensor) -> Node {
        let n = Node(id: graph.nextID(), name: name, type: "Const", version: "opset1",
                     attributes: Attributes([IRAttribute("element_type", t.elementType.rawValue),
                                             IRAttribute("shape", t.shape.map(String.init).joined(separator: ","))]),
                     outputs: [OutputPort(portID: 0, elementType: t.elementType, shape: PartialShape(static: t.shape))],
                     constant: t)
        graph.add(n)
        return n
    }

    static func makeOp(_ graph: Graph, _ name: String, _ type: String, _ inputs: [OutputRef], attributes: [IRAttribute] = [],
                       output: OutputPort) -> Node {
        let ins = inputs.enumerated().map { InputPort(portID: $0.offset, source: $0.element, elementType: $0.element.port.elementType,
                                                      shape: $0.element.port.shape) }
        var out = output
        out.portID = inputs.count
        let n = Node(id: graph.nextID(), name: name, type: type, version: "opset1", attributes: Attributes(attributes),
                     inputs: ins, outputs: [out])
        graph.add(n)
        return n
    }

    /// Every consumer of `from` reads `to` instead (except `to`'s own node).
    static func redirect(_ graph: Graph, from: OutputRef, to: OutputRef) {
        for (n, i) in graph.consumers(of: from) where n !== to.node { n.inputs[i].source = to }
    }

    static func insertZeroBias(_ graph: Graph, conv name: String) throws {
        let conv = try node(graph, name)
        guard let outShape = conv.outputs.first?.shape.staticShape, outShape.count > 1 else {
            throw PlacementError("convolution '\(name)' needs a static output shape for its zero bias")
        }
        var biasShape = Array(repeating: 1, count: outShape.count)
        biasShape[1] = outShape[1]
        let et = conv.outputs[0].elementType
        let zero = makeConst(graph, PlacementPlan.zeroBiasName(name) + "/bias", Tensor(zeros: et, shape: biasShape))
        let add = makeOp(graph, PlacementPlan.zeroBiasName(name), "Add", [conv.output(0), zero.output(0)],
                         attributes: [IRAttribute("auto_broadcast", "numpy")],
                         output: OutputPort(portID: 2, elementType: et, shape: conv.outputs[0].shape))
        redirect(graph, from: conv.output(0), to: add.output(0))
    }

    static func transposeWeights(_ graph: Graph, matmul name: String) throws {
        let mm = try node(graph, name)
        guard mm.inputs.count > 1, let src = mm.inputs[1].source, let t = constant(behind: src), t.rank > 1 else {
            throw PlacementError("MatMul '\(name)': the plan transposes its weights, but input 1 is not a constant")
        }
        let transposed = try swapLastAxes(t)
        let newSource = try replaceConstant(graph, src, with: transposed)
        mm.inputs[1].source = newSource
        mm.inputs[1].shape = PartialShape(static: transposed.shape)
        mm.attributes["transpose_b"] = "true"
    }

    /// The tensor with its last two axes swapped (any element type of whole bytes).
    static func swapLastAxes(_ t: Tensor) throws -> Tensor {
        let w = t.elementType.byteWidth
        guard w > 0 else { throw PlacementError("cannot transpose \(t.elementType.rawValue) weights") }
        let r = t.shape[t.rank - 2], c = t.shape[t.rank - 1], batch = t.count / max(r * c, 1)
        var shape = t.shape
        shape.swapAt(t.rank - 1, t.rank - 2)
        var out = Tensor(zeros: t.elementType, shape: shape)
        t.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                for b in 0..<batch {
                    for i in 0..<r {
                        for j in 0..<c {
                            let s = ((b * r + i) * c + j) * w, d = ((b * c + j) * r + i) * w
                            for k in 0..<w { dst[d + k] = src[s + k] }
                        }
                    }
                }
            }
        }
        return out
    }

    static func halve(_ t: Tensor) throws -> Tensor {
        guard t.elementType.isFloatingPoint else {
            throw PlacementError("the saturation fix needs floating-point weights, found \(t.elementType.rawValue)")
        }
        return Tensor(doubles: t.doubleValues().map { $0 / 2 }, as: t.elementType, shape: t.shape)
    }
}
