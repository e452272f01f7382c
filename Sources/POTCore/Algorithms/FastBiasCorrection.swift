import OVIR

/// POT's FastBiasCorrection (`algorithms/quantization/fast_bias_correction/algorithm.py`): for every
/// Convolution/GroupConvolution/MatMul with quantized constant weights and a constant bias Add, the
/// bias becomes `E[fp32 output] - op_q(E[input])` per channel, where `op_q` runs the op with the
/// quantized weights (no bias, unquantized input) on an input equal to the channel means
/// everywhere. A new bias whose relative change exceeds `threshold` (or any zero in the old bias)
/// leaves the bias as it was. Statistics come from the FP32 model, in the same pass as MinMax's.
package struct FastBiasCorrection {
    package var threshold = 2.0
    package var applyForAllNodes = false
    /// POT `OPERATIONS_WITH_BIAS` (`graph/special_operations.py`); POT's graph reads GroupConvolution as
    /// Convolution. BiasCorrection corrects the same ops.
    static let types: Set<String> = ["Convolution", "GroupConvolution", "MatMul"]

    /// What to collect for one op: the per-channel mean of its input and of its bias Add's output.
    struct Target {
        let op: String
        let input: StatisticPoint
        let output: StatisticPoint
        let channelAxis: Int
    }

    /// The ops the correction looks at, found on the graph with the placement plan's weight quantizers.
    func targets(_ g: Graph, plan: PlacementPlan) -> [Target] {
        let quantizedWeights = Set(plan.quantizers.filter { $0.kind == .weights }.flatMap { $0.consumers.map { EdgeRef($0.node, $0.input) } })
        var out: [Target] = []
        for op in g.nodes where Self.types.contains(op.type) && op.inputs.count > 1 {
            guard applyForAllNodes || quantizedWeights.contains(EdgeRef(op.name, 1)), Self.biasAdd(g, op) != nil,
                  let src = op.inputs[0].source, let add = g.consumers(of: op.output(0)).first?.node else { continue }
            out.append(Target(op: op.name, input: StatisticPoint(node: src.node.name, port: src.index),
                              output: StatisticPoint(node: add.name, port: 0), channelAxis: op.type == "MatMul" ? -1 : 1))
        }
        return out
    }

    /// POT `get_bias_for_node`: the op's only consumer is an Add with a constant input.
    static func biasAdd(_ g: Graph, _ op: Node) -> (add: Node, bias: Node)? {
        let consumers = g.consumers(of: op.output(0))
        guard consumers.count == 1, consumers[0].node.type == "Add", consumers[0].node.inputs.count > 1 else { return nil }
        let add = consumers[0].node
        for inp in add.inputs { if let s = inp.source, s.node.type == "Const" { return (add, s.node) } }
        return nil
    }

    static let statName = "fbc_mean_per_channel"

    /// The FakeQuantize on the op's weights, looking through the Reshape of grouped weights.
    static func weightsQuantizer(_ op: Node) -> Node? {
        var n = op.inputs[1].source?.node
        if n?.type == "Reshape" { n = n?.inputs.first?.source?.node }
        return n?.type == "FakeQuantize" ? n : nil
    }

    /// A Const's value, or a Const's under a Convert.
    static func constant(_ n: Node?) -> Tensor? {
        guard let n else { return nil }
        if n.type == "Convert" { return n.inputs.first?.source?.node.constant }
        return n.constant
    }

    /// Statistics to add to the calibration pass.
    func layout(_ targets: [Target]) -> StatsLayout {
        var layout: StatsLayout = [:]
        for t in targets {
            for p in [t.input, t.output] {
                layout[p, default: [:]][Self.statName] = t.channelAxis == 1 ? .mean(perChannel: true) : Self.lastAxisMean
            }
        }
        return layout
    }

    /// POT's `mean_per_channel_axis` with axis -1: the last axis is the channel axis.
    static let lastAxisMean = StatisticFunction.custom { t in
        let c = t.shape.last ?? 1, n = t.shape.first ?? 1
        guard t.rank >= 3 else { return t }
        let inner = t.count / Swift.max(n * c, 1)
        var out = [Float](repeating: 0, count: n * c)
        var sums = [Double](repeating: 0, count: c)
        // Row by row (contiguous), each channel summed in increasing k, on raw buffers (f32 read in place).
        func accumulate(_ v: UnsafePointer<Float>) {
            sums.withUnsafeMutableBufferPointer { sums in
                out.withUnsafeMutableBufferPointer { out in
                    for b in 0..<n {
                        for ch in 0..<c { sums[ch] = 0 }
                        for k in 0..<inner {
                            let row = v + (b * inner + k) * c
                            for ch in 0..<c { sums[ch] += Double(row[ch]) }
                        }
                        for ch in 0..<c { out[b * c + ch] = Float(sums[ch] / Double(inner)) }
                    }
                }
            }
        }
        if t.elementType == .f32 {
            accumulate(UnsafePointer(t.pointer(Float.self)))
        } else {
            t.floatValues().withUnsafeBufferPointer { accumulate($0.baseAddress!) }
        }
        return Tensor(shape: [n, c], scalars: out)
    }

    /// One op's correction: the per-channel means it used, the new bias, whether it was applied.
    package struct Correction: Sendable {
        package var op: String
        package var inputMeans: [Double]
        package var outputMeans: [Double]
        package var quantizedOutputMeans: [Double]
        package var magnitude: Double
        package var applied: Bool
        /// BiasCorrection only: the layers its sub-graph was fed at and the layers it recorded for the next ones.
        package var subgraphInputs: [String] = []
        package var subgraphOutputs: [String] = []
    }

    /// Corrects the biases of the quantized graph `g`; returns what it computed for every candidate.
    @discardableResult
    func apply(_ g: Graph, targets: [Target], stats: [StatisticPoint: [String: [Tensor]]]) throws -> [Correction] {
        var corrected: [Correction] = []
        for t in targets {
            guard let op = g.node(named: t.op), let (_, biasNode) = Self.biasAdd(g, op), var bias = biasNode.constant,
                  let fq = Self.weightsQuantizer(op), let w = Self.constant(fq.inputs[0].source?.node),
                  let weightsShape = op.inputs[1].source?.port.shape.staticShape, weightsShape.reduce(1, *) == w.count else { continue }
            guard let inBatches = stats[t.input]?[Self.statName], let outBatches = stats[t.output]?[Self.statName] else {
                throw OVIRError("bias correction of '\(t.op)': statistics were not collected")
            }
            let inMeans = try Aggregation.aggregate(inBatches, with: .mean).values
            let outMeans = try Aggregation.aggregate(outBatches, with: .mean).values
            let ranges = try (1...4).map { k -> Tensor in
                guard let c = fq.inputs[k].source?.node.constant else { throw OVIRError("\(fq.label): range input \(k) is not a constant") }
                return c
            }
            let levels = try fq.attributes.int("levels")
            let wq = try ConstantInputOps.fakeQuantize(w, ranges: ranges, levels: levels)
            let q: [Double]
            if op.type == "MatMul" {
                q = try ConstantInputOps.matMulMeans(op, weights: wq, weightsShape: weightsShape, means: inMeans)
            } else {
                guard let inShape = op.inputs[0].source?.port.shape.staticShape else { continue }
                q = try ConstantInputOps.convolutionMeans(op, weights: wq, weightsShape: weightsShape, inputShape: inShape, means: inMeans)
            }
            guard q.count == outMeans.count else { continue }
            let shift = zip(outMeans, q).map { $0 - $1 }
            // POT reshapes the shift to ones with the channels on the channel axis; other bias shapes are skipped.
            guard let rank = op.outputs[0].shape.rank, bias.count == shift.count else { continue }
            var expected = Array(repeating: 1, count: rank)
            expected[t.channelAxis < 0 ? rank - 1 : t.channelAxis] = shift.count
            guard bias.shape == expected else { continue }
            let old = bias.doubleValues()
            guard !old.contains(0) else { continue }
            let magnitude = zip(shift, old).map { abs(($0 - $1) / $1) }.max() ?? .infinity
            corrected.append(Correction(op: t.op, inputMeans: inMeans, outputMeans: outMeans, quantizedOutputMeans: q,
                                        magnitude: magnitude, applied: magnitude < threshold))
            guard magnitude < threshold else { continue }
            bias = Tensor(doubles: shift, as: bias.elementType, shape: bias.shape)
            biasNode.constant = bias
        }
        return corrected
    }
}
