/// Marks the ops POT never quantizes: ignored patterns, detection-output tails, and the user's (and
/// model type's) ignored scope and op types.
enum PlacementMarking {
    /// POT `SpecialBlocksMarker.mark_ignored_blocks`.
    static func markIgnoredBlocks(_ graph: PGraph, device: PlacementConfig.TargetDevice) {
        for pattern in IgnoredPatterns.all(for: device) {
            for match in PatternMatcher.matches(pattern, in: graph) {
                if ignoresMatch(pattern, match) { continue }
                for (e, item) in zip(pattern.elements, match) {
                    guard case .op(let n) = item, e.label != "input", e.label != "output" else { continue }
                    n.skipped = true
                }
            }
        }
        markDetectionOutputs(graph)
    }

    /// POT `pattern_utils.check_fused_scale_shift_patterns` / `check_fused_op_const_patterns`: a fused
    /// block whose chain branches is not a fused block.
    static func ignoresMatch(_ pattern: GraphPattern, _ match: [MatchItem]) -> Bool {
        let ops: [PNode] = match.compactMap { if case .op(let n) = $0 { return n } else { return nil } }
        switch pattern.check {
        case .none: return false
        case .scaleShiftBranching:
            guard let mul = ops.first(where: { $0.type == "Multiply" }) else { return false }
            return branchesAbove(mul)
        case .eltwiseBranching:
            return ops.filter { IgnoredPatterns.eltwise.contains($0.type) }.contains { branchesAbove($0) }
        }
    }

    /// POT `pattern_utils.check_for_branching`: walking up input 0, does some producer (down to the
    /// first Convolution/MatMul/Const, included) feed more than one consumer?
    static func branchesAbove(_ start: PNode) -> Bool {
        var node = start
        while true {
            guard let parent = node.input(0) else { return false }
            if parent.allConsumers.count > 1 { return true }
            if ["Convolution", "MatMul", "Const"].contains(parent.type) { return false }
            node = parent
        }
    }

    /// POT `mark_detection_output_blocks_`: everything above a NonMaxSuppression/TopK, up to ops with
    /// weights and constants, stays unquantized.
    static func markDetectionOutputs(_ graph: PGraph) {
        let stop: Set<String> = ["Convolution", "ConvolutionBackpropData", "GroupConvolution",
                                 "GroupConvolutionBackpropData", "MatMul", "Const"]
        for final in graph.live where final.type == "NonMaxSuppression" || final.type == "TopK" {
            var queue = [final]
            var visited: Set<ObjectIdentifier> = []
            while !queue.isEmpty {
                let n = queue.removeFirst()
                guard visited.insert(ObjectIdentifier(n)).inserted else { continue }
                let parents = n.inputNodes.filter { !stop.contains($0.type) }
                for p in parents { p.skipped = true }
                queue += parents
            }
        }
    }

    /// The op types POT ignores for `model_type: transformer` (POT `algorithms/quantization/utils.py`,
    /// `get_ignored_operations`; Multiply only off CPU_SPR, which SwiftPOT does not target).
    static let transformerIgnoredTypes = ["Add", "Power", "Squeeze", "Subtract", "ReduceMean", "SquaredDifference",
                                          "MVN", "Multiply"]

    /// POT's quantize-agnostic op types (`graph/special_operations.py`, `QUANTIZE_AGNOSTIC_OPERATIONS`).
    static let agnosticTypes: Set<String> = [
        "MaxPool", "ReduceMax", "Reshape", "Concat", "Flatten", "Squeeze", "Unsqueeze", "Split", "VariadicSplit",
        "Crop", "Transpose", "Tile", "StridedSlice", "ShuffleChannels", "Broadcast", "Pad", "Minimum", "Maximum",
        "ConvertLike", "Gather", "DepthToSpace",
    ]

    /// The ignored scope after POT `check_agnostic_and_ignored_params`: when an ignored op is
    /// quantize-agnostic, the ops it feeds are ignored too (through further agnostic ops). POT recurses
    /// on the same node there and overflows its stack when an agnostic op feeds another; SwiftPOT walks on.
    static func expandedScope(_ graph: PGraph, scope: [String], types: Set<String>) -> Set<String> {
        var out = Set(scope)
        func addChildren(of n: PNode, _ seen: inout Set<ObjectIdentifier>) {
            for c in n.allConsumers where seen.insert(ObjectIdentifier(c)).inserted {
                if agnosticTypes.contains(c.type) { addChildren(of: c, &seen) } else { out.insert(c.name) }
            }
        }
        for n in graph.live where (types.contains(n.type) || scope.contains(n.name)) && agnosticTypes.contains(n.type) {
            var seen: Set<ObjectIdentifier> = []
            addChildren(of: n, &seen)
        }
        return out
    }
}
