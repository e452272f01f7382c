import OVIR

/// The numeric names in POT's saved IR.
///
/// POT works on Model Optimizer's graph, whose `Graph.unique_id` (mo/graph/graph.py) hands out node
/// ids from one counter: each call sets it to `max(counter, number of nodes) + 1`, so in practice it
/// counts the calls. The counter lives in the graph object and survives POT's `deepcopy` before saving,
/// so a node created while saving is named by everything the graph went through since loading:
/// - loading (mo/utils/ir_reader `copy_graph_with_ops`): one id per IR layer, one per layer output
///   (data node), one per fake Result on an unused MaxPool/TopK output (`Op.normalize_outputs`);
/// - every `Graph.clean_up` (mo/middle/passes/eliminate.py `add_constant_operations`): one id per
///   constant value that something reads, i.e. one per Const in the folded view (each FakeQuantize
///   brings four: its range inputs). One clean-up ends loading, two run in `model_preprocessing`
///   (pot/graph/graph_utils.py; zero biases in between, four ids each: Add, Const and their outputs),
///   seven in `GraphTransformer._insert_fake_quantize` (pot/graph/transformer.py), one after each pass;
/// - every FakeQuantize created (pot/graph/passes.py `create_fake_quantize_node`), also the ones
///   propagation re-creates above agnostic ops: ten ids (the node, four range Consts, five outputs).
/// When saving (mo/back/ConvolutionNormalizer.py `V10ConvolutionWithGroupsResolver`, run first by
/// `save_restored_graph`), each grouped convolution, in graph order, takes fourteen ids (shape
/// sub-graph, Reshape, their outputs); the Reshape back to `[G, O, I, k…]`, created unnamed, is the
/// twelfth, so its name is `counter + 12 + 14·k` (plus two per restored f16-weights Convert, which
/// saving re-creates first).
struct PotNodeIDs {
    private(set) var counter = 0
    private var fakeQuantizesSeen = 0
    /// Consts POT's graph does not have (``PlacementConfig/uncountedConstants``).
    private var uncounted: Set<String> = []

    /// Constant values read by something, plus the four ranges of each live FakeQuantize.
    func constants(_ g: PGraph) -> Int {
        var n = 0
        for p in g.live {
            if p.type == "Const", !p.allConsumers.isEmpty, !uncounted.contains(p.name) { n += 1 }
            if p.type == "FakeQuantize" { n += 4 }
        }
        return n
    }

    /// Loading, its clean-up and the first clean-up of model preprocessing.
    init(loaded g: PGraph, graph: Graph, uncounted: Set<String> = []) {
        self.uncounted = uncounted
        let fakeResults = g.nodes.count - graph.nodes.count
        let counted = graph.nodes.filter { !($0.type == "Const" && uncounted.contains($0.name)) }
        counter = counted.count + counted.reduce(0) { $0 + $1.outputs.count } + fakeResults
        counter += 2 * constants(g)
    }

    /// The zero biases and the second clean-up of model preprocessing (call after they are added).
    mutating func preprocessed(zeroBiases: Int, graph g: PGraph) {
        counter += 4 * zeroBiases + constants(g)
    }

    /// One pass of `_insert_fake_quantize` and its clean-up.
    mutating func stage(_ g: PGraph) {
        let created = g.nodes.reduce(0) { $0 + ($1.type == "FakeQuantize" ? 1 : 0) }
        counter += 10 * (created - fakeQuantizesSeen) + constants(g)
        fakeQuantizesSeen = created
    }

    /// Names of the Reshapes after grouped weights, by convolution name.
    func groupWeightsReshapeNames(_ g: PGraph) -> [String: String] {
        // Before that, saving restores the Converts of f16 weights POT folded at load (pot/graph/passes.py
        // `remove_converts` / `add_removed_converts`): two ids each (the Convert and its output).
        let restoredConverts = g.live.filter { p in
            guard p.type == "Const", !p.allConsumers.isEmpty, let o = p.origin, o.type == "Convert",
                  let src = o.inputs.first?.source else { return false }
            return src.node.type == "Const" && src.port.elementType == .f16
        }.count
        let base = counter + 2 * restoredConverts
        var out: [String: String] = [:]
        var k = 0
        for p in g.nodes where p.origin?.type == "GroupConvolution" && p.group != 1 {
            out[p.name] = String(base + 12 + 14 * k)
            k += 1
        }
        return out
    }
}
