import OVIR

/// POT's FakeQuantize insertion and propagation passes, replayed on a ``PGraph``
/// (POT `graph/transformer.py` `GraphTransformer._insert_fake_quantize` and `graph/passes.py`
/// `InsertFakeQuantize`, `FakeQuantizePropagation`, `FakeQuantizeOptimization`, `RemoveFakeQuantize`).
struct FakeQuantizeInsertion {
    let graph: PGraph
    let hardware: HardwareConfig
    let ignoredScope: Set<String>
    let ignoredTypes: Set<String>

    /// Op types whose inputs get quantizers: those with a `quantization` section that are not
    /// quantize-agnostic (`GraphTransformer.__init__`).
    var quantizableTypes: Set<String> {
        Set(hardware.operations.filter { $0.hasQuantization && !PlacementMarking.agnosticTypes.contains($0.type) }.map(\.type))
    }

    func isIgnored(_ n: PNode) -> Bool {
        n.skipped || ignoredScope.contains(n.name) || ignoredTypes.contains(n.type)
    }

    /// POT `get_hardware_config_operation_type`: a Convolution with one group per input and output
    /// channel is a `DepthWiseConvolution`.
    static func hardwareType(_ n: PNode) -> String {
        if n.type == "Convolution", n.group > 1, let out = n.outShapes.first ?? nil, out.count > 1,
           let inp = n.inputShape(0), inp.count > 1, n.group == out[1], inp[1] == out[1] {
            return "DepthWiseConvolution"
        }
        return n.type
    }

    /// The input ports POT quantizes for a quantizable op (`InsertFakeQuantize.replace_pattern`);
    /// nil means all of them.
    static func quantizedPorts(_ n: PNode) -> [Int]? {
        switch n.type {
        case "Convolution", "ConvolutionBackpropData", "MatMul": return [0, 1]
        case "LSTMSequence": return [0, 1, 4, 5]
        case "GRUSequence": return [0, 1, 3, 4]
        case "Interpolate", "Power", "ReduceMean", "NormalizeL2", "Assign", "PReLU", "ReLU", "Sigmoid", "Tanh",
             "Clamp", "MVN":
            return [0]
        default:
            // Scale-shift (Multiply by a constant, then Add of a constant): only the data input.
            if n.type == "Multiply", n.inputs.count > 1, constLike(n, 1),
               let next = n.outputs[0].first?.node, next.type == "Add", constLike(next, 1) {
                return [0]
            }
            return nil
        }
    }

    static func constLike(_ n: PNode, _ port: Int) -> Bool {
        n.input(port)?.type == "Const" || n.inputValued(port)
    }

    /// POT `insert_fake_quantize`: one FakeQuantize per quantized input port of `node`, named
    /// `<node>/fq_weights_<port>` (constant input) or `<node>/fq_input_<port>`. Inputs with a value
    /// known at load time that are not plain constants (shape computations) are left alone.
    @discardableResult
    func insert(at node: PNode, ports: [Int]?) -> [PNode] {
        var created: [PNode] = []
        for idx in node.inputs.indices {
            guard let src = node.inputs[idx] else { continue }
            if let ports, !ports.contains(idx) { continue }
            let isWeights = src.node.type == "Const"
            if !isWeights && src.node.valued[src.index] { continue }
            let name = "\(node.name)/\(isWeights ? "fq_weights" : "fq_input")_\(idx)"
            let fq = graph.add(name: name, type: "FakeQuantize", inputs: 1, outputs: 1)
            fq.fqKind = isWeights ? .weights : .activations
            fq.fqPriority = hardware.inputPriorityTypes.contains(Self.hardwareType(node)) ? 2 : 1
            fq.outTypes[0] = src.node.outTypes[src.index]
            fq.outShapes[0] = src.node.outShapes[src.index]
            let dst = PPort(node: node, index: idx)
            graph.disconnect(dst)
            graph.connect(src, PPort(node: fq, index: 0))
            graph.connect(PPort(node: fq, index: 0), dst)
            created.append(fq)
        }
        return created
    }

    /// Step 1: quantizers at the inputs of every quantizable, non-ignored op.
    func insertAll() {
        let types = quantizableTypes
        for n in graph.live where types.contains(n.type) && !isIgnored(n) {
            insert(at: n, ports: Self.quantizedPorts(n))
        }
    }

    /// Removes `fq`, its consumers reading its input instead.
    func bypass(_ fq: PNode) {
        guard let src = fq.inputs[0] else { graph.remove(fq); return }
        graph.disconnect(PPort(node: fq, index: 0))
        graph.moveConsumers(of: PPort(node: fq, index: 0), to: src)
        graph.remove(fq)
    }

    /// Step 3 (POT `FakeQuantizeOptimization`): quantizers reading the same output are merged into the
    /// one whose name sorts first.
    func mergeDuplicates() {
        for op in PlacementNames.sorted(graph.live) {
            for o in op.outputs.indices {
                var fqs: [PNode] = []
                for c in op.outputs[o] where c.node.type == "FakeQuantize" && c.index == 0 && !fqs.contains(where: { $0 === c.node }) {
                    fqs.append(c.node)
                }
                let sorted = PlacementNames.sorted(fqs)
                guard let keep = sorted.first else { continue }
                for fq in sorted.dropFirst() {
                    graph.disconnect(PPort(node: fq, index: 0))
                    graph.moveConsumers(of: PPort(node: fq, index: 0), to: PPort(node: keep, index: 0))
                    graph.remove(fq)
                }
            }
        }
    }

    /// Step 4 (POT `delete_fq_non_quantizable_node_precision`): quantizers of integer or boolean
    /// tensors are removed together with the quantizers of the same ops (`RemoveFakeQuantize`).
    func removeIntegerQuantizers() {
        for fq in PlacementNames.sorted(graph.live.filter { $0.type == "FakeQuantize" }) {
            guard !fq.removed, let src = fq.inputs[0], let t = src.node.outTypes[src.index],
                  t == .i32 || t == .i64 || t == .boolean else { continue }
            for cut in quantizersToRemove(with: fq) where !cut.removed { bypass(cut) }
        }
    }

    /// POT `RemoveFakeQuantize.find_fq_nodes_to_cut`: the quantizers feeding the ops this one feeds
    /// (and, through quantize-agnostic ops, their neighbours).
    func quantizersToRemove(with start: PNode) -> [PNode] {
        var seenChildren: Set<ObjectIdentifier> = [], seenParents: Set<ObjectIdentifier> = []
        var toSeeChildren = [start], toSeeParents: [PNode] = [], toCut = [start]
        func visit(_ node: PNode, parents: Bool) {
            let relatives: [(PNode, Bool)] = parents
                ? node.inputs.compactMap { $0.map { ($0.node, $0.node.valued[$0.index]) } }
                : node.outputs.indices.flatMap { o in node.outputs[o].map { ($0.node, node.valued[o]) } }
            for (r, valued) in relatives {
                let id = ObjectIdentifier(r)
                if r.type == "FakeQuantize" {
                    if parents {
                        if seenChildren.contains(id) { continue }
                        if !toCut.contains(where: { $0 === r }) { toCut.append(r) }
                        toSeeChildren.append(r)
                    } else {
                        seenChildren.insert(id)
                    }
                } else if r.type != "Const" && !valued {
                    if !seenParents.contains(id) { toSeeParents.append(r) }
                    if !seenChildren.contains(id) && PlacementMarking.agnosticTypes.contains(r.type) { toSeeChildren.append(r) }
                }
            }
            if parents { seenParents.insert(ObjectIdentifier(node)) } else { seenChildren.insert(ObjectIdentifier(node)) }
        }
        while !toSeeParents.isEmpty || !toSeeChildren.isEmpty {
            if let n = toSeeChildren.popLast() { visit(n, parents: false) }
            if let n = toSeeParents.popLast() { visit(n, parents: true) }
        }
        return toCut
    }
}

/// Name ordering as Python's `sorted(..., key=name)`: by Unicode scalars, stable.
enum PlacementNames {
    static func less(_ a: String, _ b: String) -> Bool { a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) }
    static func sorted(_ nodes: [PNode]) -> [PNode] {
        nodes.enumerated().sorted { x, y in
            if x.element.name == y.element.name { return x.offset < y.offset }
            return less(x.element.name, y.element.name)
        }.map(\.element)
    }
}
