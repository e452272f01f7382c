import OVIR

/// Runs a stand-alone graph outside the dataset loop, as POT's `IELauncher` (`utils/launcher.py`)
/// does for BiasCorrection's sub-graphs. The POT module's `IEEngine` conforms.
package protocol GraphLauncher: AnyObject {
    /// Compiles `graph` once; the function runs it with inputs by Parameter layer name and returns
    /// the values of the graph's Results in graph order.
    func compileForLaunch(_ graph: Graph) throws -> ([String: Tensor]) throws -> [Tensor]
}

/// POT's BiasCorrection (`algorithms/quantization/bias_correction/algorithm.py`), DefaultQuantization's
/// bias step with `use_fast_bias: false`.
///
/// For every Convolution/GroupConvolution/MatMul with quantized constant weights and a constant bias
/// Add (in topological order), a sub-graph of the quantized model is cut out: from the tensors the
/// previous corrections recorded (its inputs) through the op to the inputs of the next quantized
/// ops (its "statistics nodes"), with weight FakeQuantizes kept and activation FakeQuantizes removed.
/// It runs on `batch_stat_size = max(int(0.2·stat_subset_size), 1)` feeds; the bias moves by
/// `E[fp32 bias-Add output] − E[sub-graph bias-Add output]` per channel unless that shift is, relative
/// to the bias, ≥ `threshold` (default 1000) anywhere, the bias has a zero, or its shape is not the
/// channel shape. The sub-graph then runs again (with the new bias) and its statistics-node outputs
/// become the next sub-graphs' inputs, so quantization errors of the weights propagate layer by layer.
/// FP32 statistics come from a separate pass over the first `batch_stat_size` samples of the
/// calibration subset (POT's sampler for this algorithm).
///
/// Deviation: where a sub-graph reaches a model Parameter that POT does not feed (it leaves the
/// OpenVINO input tensor uninitialised), SwiftPOT feeds that Parameter's FP32 value of the same sample.
package struct BiasCorrection {
    package var threshold = 1000.0
    package var applyForAllNodes = false

    /// POT `SPLIT_OPERATIONS`.
    static let splitTypes: Set<String> = ["Split", "VariadicSplit"]
    static let meanStat = "bc_mean_per_channel"
    static let batchMeanStat = "bc_batch_mean_param_in"

    package init(threshold: Double = 1000.0, applyForAllNodes: Bool = false) {
        self.threshold = threshold
        self.applyForAllNodes = applyForAllNodes
    }

    /// An op whose bias is corrected, with its bias Add and channel axis (POT `OPERATIONS_CHANNEL_AXIS`).
    package struct Target: Sendable {
        package let op: String
        package let add: String
        package let channelAxis: Int
    }

    /// The key POT records a statistics input under (`node_utils.create_node_name`): the layer name,
    /// or (name, port) when the layer has several outputs. Only plain names are ever matched again
    /// when sub-graph inputs are looked for, so a multi-output layer never becomes a sub-graph input.
    package enum StatKey: Hashable, Sendable {
        case plain(String)
        case port(String, Int)
        package init(_ n: Node, port: Int) { self = n.outputs.count > 1 ? .port(n.name, port) : .plain(n.name) }
    }

    // MARK: - Targets and FP32 statistics (POT `register_statistics`)

    /// POT `_get_topological_biased_ops` on the quantized graph: ops with quantized weights, a bias
    /// Add and batch 1 on input 0, in topological order.
    package func targets(_ q: Graph) throws -> [Target] {
        var out: [Target] = []
        for op in try q.topologicalOrder() where FastBiasCorrection.types.contains(op.type) && op.inputs.count > 1 {
            guard let (add, _) = FastBiasCorrection.biasAdd(q, op), Self.hasQuantizedWeights(op),
                  op.inputs[0].source?.port.shape.dims?.first?.staticValue == 1 else { continue }
            out.append(Target(op: op.name, add: add.name, channelAxis: op.type == "MatMul" ? -1 : 1))
        }
        return out
    }

    /// A Const, or a Convert of a Const (weights stored in f16).
    static func isConstant(_ n: Node?) -> Bool {
        guard let n else { return false }
        return n.type == "Const" || (n.type == "Convert" && n.inputs.first?.source?.node.type == "Const")
    }

    /// POT `node_utils.node_with_quantized_weights`: input 1 is a FakeQuantize of a constant (looking
    /// through the Reshape of grouped weights).
    static func hasQuantizedWeights(_ op: Node) -> Bool {
        guard op.inputs.count > 1, let fq = FastBiasCorrection.weightsQuantizer(op) else { return false }
        return isConstant(fq.inputs.first?.source?.node)
    }

    /// POT `_get_biased_after_params` on the FP32 graph: from each Parameter, the first
    /// Convolution/MatMul on every path and the producer of its input 0.
    func biasedAfterParameters(_ g: Graph) -> [String: (node: String, port: Int, key: StatKey)] {
        let consumers = g.consumerMap()
        var found: [String: (String, Int, StatKey)] = [:]
        var seen: Set<ObjectIdentifier> = []
        var stack = g.parameters
        while let n = stack.popLast() {
            guard seen.insert(ObjectIdentifier(n)).inserted else { continue }
            if FastBiasCorrection.types.contains(n.type) {
                if let src = n.inputs.first?.source { found[n.name] = (src.node.name, src.index, StatKey(src.node, port: src.index)) }
                continue
            }
            for port in consumers[ObjectIdentifier(n)] ?? [] { stack.append(contentsOf: port.map(\.node)) }
        }
        return found
    }

    /// What the FP32 pass collects: per-channel means of every bias Add output, the batch means of the
    /// inputs of the first biased ops after the Parameters (POT's `batch_mean_param_in`), and the batch
    /// means of every Parameter (for the deviation above).
    package func fp32Layout(_ fp32: Graph, targets: [Target]) -> (layout: StatsLayout, paramInputs: [StatKey]) {
        var layout: StatsLayout = [:]
        var paramInputs: [StatKey] = []
        let after = biasedAfterParameters(fp32)
        for t in targets {
            if fp32.node(named: t.add) != nil {
                layout[StatisticPoint(node: t.add), default: [:]][Self.meanStat] =
                    t.channelAxis == 1 ? .mean(perChannel: true) : FastBiasCorrection.lastAxisMean
            }
            if let (node, port, key) = after[t.op] {
                paramInputs.append(key)
                layout[StatisticPoint(node: node, port: port), default: [:]][Self.batchMeanStat] = Self.batchMean
            }
        }
        for p in fp32.parameters { layout[StatisticPoint(node: p.name), default: [:]][Self.batchMeanStat] = Self.batchMean }
        return (layout, paramInputs)
    }

    /// POT `aggregation.batch_mean`: the mean over the batch axis, keeping it.
    static let batchMean = StatisticFunction.custom { t in
        guard let n = t.shape.first, n > 1 else { return t }
        let inner = t.count / n, v = t.doubleValues()
        var out = [Double](repeating: 0, count: inner)
        for b in 0..<n { for k in 0..<inner { out[k] += v[b * inner + k] } }
        var shape = t.shape
        shape[0] = 1
        return Tensor(doubles: out.map { $0 / Double(n) }, as: t.elementType, shape: shape)
    }

    /// POT's sampler for this algorithm: the first `max(int(0.2·stat_subset_size), 1)` samples (or as
    /// many drawn by `random.sample` with the seed when shuffling), in batches of `stat_batch_size`.
    package static func sampleIndices(_ params: QuantizationParams, datasetSize: Int) -> [Int] {
        let subset = Swift.min(params.statSubsetSize ?? datasetSize, datasetSize)
        let n = Swift.max(Int(Double(subset) * 0.2), 1)
        guard params.shuffleData else { return Array(0..<Swift.min(n, datasetSize)) }
        var rng = PythonRandom(seed: params.seed)
        return rng.sample(population: datasetSize, count: Swift.min(n, datasetSize))
    }

    // MARK: - Sub-graphs (POT `_fill_subgraphs_data`, `_get_subgraph_data_for_node`)

    /// One op's sub-graph: where it is fed, where the next sub-graphs read, what else it outputs.
    struct Subgraph {
        let target: Target
        let inputs: [String]
        let statsNodes: [String]
    }

    /// The quantized graph with activation FakeQuantizes removed (POT `_remove_fq_from_inputs`).
    static func withoutActivationQuantizers(_ q: Graph) -> Graph {
        let w = q.copy()
        for fq in w.nodes where fq.type == "FakeQuantize" && !isConstant(fq.inputs.first?.source?.node) {
            w.remove(fq, rewireTo: fq.inputs.first?.source)
        }
        return w
    }

    private struct Visit: Hashable {
        let node: ObjectIdentifier
        let branch: Bool
    }

    /// Walks the working graph as POT does to find every target's sub-graph.
    func subgraphs(_ w: Graph, targets: [Target], paramInputs: [StatKey]) throws -> [Subgraph] {
        if let stateful = w.nodes.first(where: { $0.type == "ReadValue" || $0.type == "Assign" }) {
            throw OVIRError("BiasCorrection: \(stateful.label): stateful models (ReadValue/Assign) are not supported")
        }
        let consumers = w.consumerMap()
        var byName: [String: Node] = [:]
        for n in w.nodes where byName[n.name] == nil { byName[n.name] = n }
        var collected = paramInputs
        func parents(_ n: Node) -> [Node] { n.inputs.compactMap { $0.source?.node }.filter { $0.type != "Const" } }
        func children(_ n: Node) -> [Node] {
            var out: [Node] = []
            for port in consumers[ObjectIdentifier(n)] ?? [] {
                for c in port where !out.contains(where: { $0 === c.node }) { out.append(c.node) }
            }
            return out
        }
        var result: [Subgraph] = []
        for t in targets {
            guard let main = byName[t.op] else { throw OVIRError("BiasCorrection: no layer '\(t.op)' in the quantized model") }
            // POT `skip_node`: quantized constant weights and a bias (every target has them).
            guard Self.hasQuantizedWeights(main), FastBiasCorrection.biasAdd(w, main) != nil else { continue }
            var statsNodes: [Node] = [], checkedStats: [String] = [], checkedInputs: [String] = []
            var visited: Set<Visit> = []
            func walkToChildren(_ n: Node, branch: Bool) {
                // Re-walking a node with the same flag adds nothing new (everything is de-duplicated).
                guard visited.insert(Visit(node: ObjectIdentifier(n), branch: branch)).inserted else { return }
                let nodeParents = parents(n)
                guard var input0 = n.inputs.first?.source else { return }
                if input0.node.type == "Const", n.inputs.count > 1, let s = n.inputs[1].source { input0 = s }
                if branch, Self.splitTypes.contains(input0.node.type), let s = input0.node.inputs.first?.source { input0 = s }
                if FastBiasCorrection.types.contains(n.type) && Self.hasQuantizedWeights(n) && !applyForAllNodes {
                    if !checkedStats.contains(input0.node.name) {
                        checkedStats.append(input0.node.name)
                        checkedInputs.append(input0.node.name)
                        statsNodes.append(input0.node)
                        collected.append(StatKey(input0.node, port: input0.index))
                    }
                } else if branch && nodeParents.count > 1 {
                    return
                } else {
                    let next = children(n)
                    for c in next { walkToChildren(c, branch: next.count > 1) }
                }
            }
            var inputs: [String] = []
            func walkToParents(_ n: Node) {
                guard !checkedInputs.contains(n.name) else { return }
                checkedInputs.append(n.name)
                if collected.contains(.plain(n.name)) {
                    if !inputs.contains(n.name) { inputs.append(n.name) }
                } else {
                    for p in parents(n) { walkToParents(p) }
                }
            }
            for c in children(main) { walkToChildren(c, branch: false) }
            for s in statsNodes.isEmpty ? [main] : statsNodes {
                for p in parents(s) { walkToParents(p) }
            }
            result.append(Subgraph(target: t, inputs: inputs, statsNodes: statsNodes.map(\.name)))
        }
        return result
    }

    /// Cuts `w` into a stand-alone graph: each input layer becomes a Parameter (batch 1) named
    /// `<layer>/parameter` (a model Parameter keeps its name), a Result follows every output layer,
    /// and only what the Results need is kept (POT `_prepare_model_and_params` + `clean_up`).
    /// Returns the graph and the Parameters it has that are not among `inputs` (model Parameters).
    static func cut(_ w: Graph, inputs: [String], outputs: [String]) throws -> (graph: Graph, parameters: [String: String], unfed: [String]) {
        var byName: [String: Node] = [:]
        for n in w.nodes where byName[n.name] == nil { byName[n.name] = n }
        let inputSet = Set(inputs)
        var keep: [ObjectIdentifier: Node] = [:]
        var stack = try outputs.map { name -> Node in
            guard let n = byName[name] else { throw OVIRError("BiasCorrection: no layer '\(name)' in the model") }
            return n
        }
        while let n = stack.popLast() {
            guard keep[ObjectIdentifier(n)] == nil else { continue }
            keep[ObjectIdentifier(n)] = n
            if inputSet.contains(n.name) { continue }
            for inp in n.inputs { if let s = inp.source { stack.append(s.node) } }
        }
        let taken = Set(w.nodes.map(\.name))
        var map: [ObjectIdentifier: Node] = [:]
        var parameterNames: [String: String] = [:]
        var unfed: [String] = []
        var nodes: [Node] = []
        for n in w.nodes where keep[ObjectIdentifier(n)] != nil {
            let c: Node
            if inputSet.contains(n.name) && n.type != "Parameter" {
                guard let port = n.outputs.first else { throw OVIRError("BiasCorrection: \(n.label) has no output to feed") }
                var shape = port.shape
                if var dims = shape.dims, !dims.isEmpty { dims[0] = .fixed(1); shape = PartialShape(dims) }
                var name = n.name + "/parameter"
                while taken.contains(name) { name += "_" }
                c = Node(id: n.id, name: name, type: "Parameter", version: "opset1",
                         outputs: [OutputPort(portID: 0, elementType: port.elementType, shape: shape)])
                parameterNames[n.name] = name
            } else {
                c = Node(id: n.id, name: n.name, type: n.type, version: n.version, attributes: n.attributes,
                         inputs: n.inputs, outputs: n.outputs, constant: n.constant, bodies: n.bodies.mapValues { $0.copy() },
                         sections: n.sections, rtInfo: n.rtInfo)
                if n.type == "Parameter" {
                    if inputSet.contains(n.name) { parameterNames[n.name] = n.name } else { unfed.append(n.name) }
                }
            }
            map[ObjectIdentifier(n)] = c
            nodes.append(c)
        }
        for c in nodes {
            for i in c.inputs.indices {
                if let s = c.inputs[i].source {
                    guard let target = map[ObjectIdentifier(s.node)] else {
                        throw OVIRError("BiasCorrection: \(c.label): input \(i) is outside the sub-graph")
                    }
                    // A replaced layer's every output reads from its Parameter (POT reconnects all out ports).
                    c.inputs[i].source = OutputRef(target, target.type == "Parameter" && s.node.type != "Parameter" ? 0 : s.index)
                }
            }
        }
        var nextID = (w.nodes.map(\.id).max() ?? 0) + 1
        var seenOutputs: Set<String> = []
        for name in outputs where seenOutputs.insert(name).inserted {
            guard let src = byName[name].flatMap({ map[ObjectIdentifier($0)] }) else { continue }
            let r = Node(id: nextID, name: name + "/result", type: "Result", version: "opset1",
                         inputs: [InputPort(portID: 0, source: OutputRef(src, 0), elementType: src.outputs.first?.elementType,
                                            shape: src.outputs.first?.shape ?? .dynamicRank)])
            nextID += 1
            nodes.append(r)
        }
        return (Graph(name: w.name + "_bias_correction", irVersion: w.irVersion, nodes: nodes), parameterNames, unfed)
    }

    // MARK: - The correction (POT `run`, `_compute_bias_shift`, `_collect_new_stats`)

    /// Corrects the biases of the quantized graph `q` (in place). `fp32Stats` are the FP32 pass's
    /// statistics (``fp32Layout(_:targets:)``), one value per batch.
    @discardableResult
    package func apply(_ q: Graph, targets: [Target], fp32Stats: [StatisticPoint: [String: [Tensor]]],
                       paramInputs: [StatKey], launcher: any GraphLauncher) throws -> [FastBiasCorrection.Correction] {
        let w = Self.withoutActivationQuantizers(q)
        let plans = try subgraphs(w, targets: targets, paramInputs: paramInputs)
        // Feeds per layer: POT's `batch_mean_param_in` (FP32 values) wins over `batch_mean_in` (values
        // the sub-graphs computed).
        var paramIn: [String: [Tensor]] = [:]
        for (point, byName) in fp32Stats where point.port == 0 {
            if let v = byName[Self.batchMeanStat] { paramIn[point.node] = v }
        }
        let paramInNames = Set(paramInputs.compactMap { if case .plain(let n) = $0 { n } else { nil } })
        let modelParameters = Set(q.parameters.map(\.name))
        var batchMeanIn: [String: [Tensor]] = [:]
        let feedCount = paramIn.values.map(\.count).max() ?? 0
        var corrections: [FastBiasCorrection.Correction] = []

        for plan in plans {
            let t = plan.target
            guard let op = q.node(named: t.op), let (_, biasNode) = FastBiasCorrection.biasAdd(q, op), let bias = biasNode.constant else {
                throw OVIRError("BiasCorrection: '\(t.op)' lost its bias Add")
            }
            let outputs = plan.statsNodes + (plan.statsNodes.contains(t.add) ? [] : [t.add])
            let (sub, parameterNames, unfed) = try Self.cut(w, inputs: plan.inputs, outputs: outputs)
            var feeds: [[String: Tensor]] = Array(repeating: [:], count: feedCount)
            for name in plan.inputs {
                guard let pname = parameterNames[name] else { continue }
                let recorded = paramInNames.contains(name) ? paramIn[name]
                    : batchMeanIn[name] ?? (modelParameters.contains(name) ? paramIn[name] : nil)
                guard let values = recorded else {
                    throw OVIRError("BiasCorrection: the sub-graph of '\(t.op)' reads '\(name)', whose values were not recorded")
                }
                guard values.count == feedCount else {
                    throw OVIRError("BiasCorrection: '\(name)' has \(values.count) recorded values, expected \(feedCount)")
                }
                for k in 0..<feedCount { feeds[k][pname] = values[k] }
            }
            for name in unfed {
                guard let v = paramIn[name], v.count == feedCount else {
                    throw OVIRError("BiasCorrection: the sub-graph of '\(t.op)' needs model input '\(name)', whose values were not recorded")
                }
                for k in 0..<feedCount { feeds[k][name] = v[k] }
            }
            let addIndex = outputs.firstIndex(of: t.add)!
            var run = try launcher.compileForLaunch(sub)
            var outs = try feeds.map { try run($0) }

            // The shift: E[fp32] − E[sub-graph] per channel, reshaped to ones with the channels on the axis.
            let old = bias.doubleValues()
            var applied = false, magnitude = Double.infinity
            var fpMeans: [Double] = [], qMeans: [Double] = []
            let addShape = sub.node(named: t.add)?.outputs.first?.shape.staticShape ?? []
            if !old.contains(0), !addShape.isEmpty, let fp = fp32Stats[StatisticPoint(node: t.add)]?[Self.meanStat] {
                let axisFn: StatisticFunction = t.channelAxis == 1 ? .mean(perChannel: true) : FastBiasCorrection.lastAxisMean
                fpMeans = try Aggregation.aggregate(fp, with: .mean).values
                qMeans = try Aggregation.aggregate(outs.map { try axisFn.compute($0[addIndex]) }, with: .mean).values
                var expected = Array(repeating: 1, count: addShape.count)
                let axis = t.channelAxis < 0 ? addShape.count - 1 : t.channelAxis
                expected[axis] = addShape[axis]
                if fpMeans.count == qMeans.count, fpMeans.count == addShape[axis] {
                    let shift = zip(fpMeans, qMeans).map { $0 - $1 }
                    magnitude = zip(shift, old).map { abs($0 / $1) }.max() ?? .infinity
                    if bias.shape == expected && magnitude < threshold {
                        let new = Tensor(doubles: zip(old, shift).map { $0 + $1 }, as: bias.elementType, shape: bias.shape)
                        biasNode.constant = new
                        if let wb = w.node(named: t.op).flatMap({ FastBiasCorrection.biasAdd(w, $0)?.bias }) { wb.constant = new }
                        if let sb = sub.node(named: t.op).flatMap({ FastBiasCorrection.biasAdd(sub, $0)?.bias }) { sb.constant = new }
                        applied = true
                    }
                }
            }
            corrections.append(FastBiasCorrection.Correction(op: t.op, inputMeans: [], outputMeans: fpMeans,
                                                             quantizedOutputMeans: qMeans, magnitude: magnitude, applied: applied,
                                                             subgraphInputs: plan.inputs, subgraphOutputs: plan.statsNodes))
            // The statistics nodes' values with the new bias feed the next sub-graphs. (POT means to
            // remove the weight FakeQuantizes when the bias is kept, but passes layers where names
            // are expected, so nothing is removed: the sub-graph runs as it is.)
            guard !plan.statsNodes.isEmpty else { continue }
            if applied {
                run = try launcher.compileForLaunch(sub)
                outs = try feeds.map { try run($0) }
            }
            for (k, name) in plan.statsNodes.enumerated() { batchMeanIn[name] = outs.map { $0[k] } }
        }
        return corrections
    }
}
