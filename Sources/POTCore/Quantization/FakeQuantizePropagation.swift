/// POT `FakeQuantizePropagation` (graph/passes.py): every quantizer moves up through
/// quantize-agnostic ops (Reshape, Transpose, MaxPool, Pad, Concat, …) as far as it can, so that the
/// agnostic ops run in low precision too. A quantizer does not move up through an op when another
/// consumer of that op's output would then read quantized data it did not ask for (the "skip ascent"
/// map, `_create_skip_ascent_map`).
struct FakeQuantizePropagation {
    let insertion: FakeQuantizeInsertion
    var graph: PGraph { insertion.graph }
    /// POT's `quantize_inputs` (false for DefaultQuantization).
    var quantizeInputs = false

    static let singleBranch: Set<String> = [
        "ReduceMax", "MaxPool", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Interpolate", "Split", "Crop",
        "ReduceMean", "AvgPool", "Result", "Tile", "Transpose", "StridedSlice", "VariadicSplit", "ShuffleChannels",
        "Broadcast", "Minimum", "Maximum", "DepthToSpace", "Gather",
    ]
    static let exceptConst: Set<String> = ["Pad", "ConvertLike"]
    static let skippable: Set<String> = singleBranch.union(exceptConst).union(["Concat", "FakeQuantize"])

    func run() {
        var queue = PlacementNames.sorted(graph.live.filter { $0.type == "FakeQuantize" })
        let skipAscent = SkipAscentMap(graph: graph)
        skipAscent.build()
        while !queue.isEmpty {
            let fq = queue.removeFirst()
            guard !fq.removed, let input = fq.input(0) else { continue }
            let output = fq.outputs[0].first?.node
            let isScaleShift = output?.type == "Multiply" && output?.outputs[0].first?.node.type == "Add"
            if input.type != "FakeQuantize" && input.type != "Parameter" && skipAscent.value(input) { continue }
            let agnostic = PlacementMarking.agnosticTypes.contains(input.type)
            guard agnostic || input.type == "FakeQuantize" || (input.type == "Parameter" && isScaleShift && !quantizeInputs)
            else { continue }
            var splitConcat = false
            if isSplitConcat(input), let parent = input.input(0), !skipAscent.value(parent) { splitConcat = true }
            if input.type == "FakeQuantize", fq.fqPriority > input.fqPriority {
                input.fqKind = fq.fqKind
                input.fqPriority = fq.fqPriority
            }
            let moved: [PNode]
            if splitConcat {
                insertion.bypass(fq)
                moved = input.input(0).map { insertion.insert(at: $0, ports: [0]) } ?? []
            } else if input.type == "FakeQuantize" || input.type == "Parameter" {
                insertion.bypass(fq)
                moved = []
            } else if input.type == "Concat" {
                insertion.bypass(fq)
                moved = insertion.insert(at: input, ports: nil)
            } else if Self.exceptConst.contains(input.type) {
                let ports = input.inputs.indices.filter { input.inputs[$0] != nil && input.input($0)?.type != "Const" }
                insertion.bypass(fq)
                moved = insertion.insert(at: input, ports: ports)
            } else {
                insertion.bypass(fq)
                moved = insertion.insert(at: input, ports: [0])
            }
            for m in moved { queue.insert(m, at: 0) }
        }
    }

    /// POT `check_split_concat`: a Concat of several outputs of one op (not a Split) that feeds only it.
    func isSplitConcat(_ n: PNode) -> Bool {
        guard n.type == "Concat", let first = n.input(0), first.type != "Split", first.type != "VariadicSplit" else {
            return false
        }
        let uppers = n.inputNodes
        return Set(uppers.map(\.name)).count == 1 && Set(first.allConsumers.map(\.name)).count == 1
    }
}

/// POT `_create_skip_ascent_map`: whether a quantizer below an op must stay below it.
final class SkipAscentMap {
    let graph: PGraph
    private var map: [ObjectIdentifier: Bool] = [:]
    init(graph: PGraph) { self.graph = graph }

    func build() {
        for op in graph.live {
            let id = ObjectIdentifier(op)
            if op.skipped { map[id] = true }
            if map[id] == nil { map[id] = skippable(op) }
        }
    }

    func value(_ n: PNode) -> Bool { map[ObjectIdentifier(n)] ?? false }

    /// Breadth-first walk (POT `traverse_graph`): `move` gives the relatives, `criteria` collects the
    /// relatives satisfying each function until `stop` holds for one (then returns true at once).
    static func traverse(_ start: PNode, move: (PNode) -> [PNode], stop: ((PNode) -> Bool)?,
                         criteria: [(PNode) -> Bool] = []) -> (Bool, [[PNode]]) {
        var found = Array(repeating: [PNode](), count: criteria.count)
        var queue = [start], visited: Set<ObjectIdentifier> = []
        while !queue.isEmpty {
            let current = queue.removeFirst()
            guard visited.insert(ObjectIdentifier(current)).inserted else { continue }
            let relatives = move(current)
            for r in relatives {
                for (k, fn) in criteria.enumerated() where fn(r) { found[k].append(r) }
                if let stop, stop(r) { return (true, found) }
            }
            queue += relatives
        }
        return (false, found)
    }

    private func skippable(_ node: PNode) -> Bool {
        let sink: (PNode) -> [PNode] = { op in
            op.type == "FakeQuantize" ? [] : op.allConsumers.filter { $0.type != "ShapeOf" }
        }
        let source: (PNode) -> [PNode] = { op in
            op.inputNodes.filter { $0.type != "FakeQuantize" && $0.type != "Const" && $0.name != node.name }
        }
        let isConcat: (PNode) -> Bool = { $0.type == "Concat" }
        let isFQ: (PNode) -> Bool = { $0.type == "FakeQuantize" }
        let notSkippable: (PNode) -> Bool = { !FakeQuantizePropagation.skippable.contains($0.type) }

        func descendants(_ concats: [PNode]) -> Bool {
            var values: [(ObjectIdentifier, Bool)] = []
            for c in concats {
                let id = ObjectIdentifier(c)
                if values.contains(where: { $0.0 == id }) { continue }
                let v = map[id] ?? skippable(c)
                values.append((id, v))
            }
            for (id, v) in values { map[id] = v }
            return values.contains { $0.1 }
        }
        func multiBranch(_ op: PNode) -> Bool {
            if !Self.traverse(op, move: source, stop: notSkippable).0 { return false }
            let (res, found) = Self.traverse(op, move: sink, stop: notSkippable, criteria: [isConcat, isFQ])
            if res || found[1].isEmpty { return true }
            if !found[0].isEmpty { return descendants(found[0]) }
            return found[1].isEmpty
        }
        func singleBranch(_ op: PNode) -> Bool {
            let (res, found) = Self.traverse(op, move: sink, stop: notSkippable, criteria: [isConcat])
            if !found[0].isEmpty { return descendants(found[0]) }
            return res
        }
        let stop: (PNode) -> Bool = { op in
            if notSkippable(op) { return true }
            if op === node { return false }
            return isConcat(op) ? multiBranch(op) : singleBranch(op)
        }
        return Self.traverse(node, move: sink, stop: stop).0
    }
}
