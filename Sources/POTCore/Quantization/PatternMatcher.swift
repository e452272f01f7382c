/// Sub-graph patterns over POT's view of a model, and a matcher with Model Optimizer's semantics.
///
/// MO's graph is bipartite: op nodes and data nodes (one per op output), and POT's patterns are
/// written over both kinds (MO `middle/pattern_match.py`, `apply_pattern` → networkx
/// `MultiDiGraphMatcher.subgraph_isomorphisms_iter`). That is an *induced* match: between any two
/// matched elements the graph has exactly as many edges as the pattern (so an op whose two inputs
/// both come from the matched data node does not match a one-edge pattern), while edges to unmatched
/// nodes are free. Every match is enumerated, automorphic duplicates included.
struct GraphPattern {
    enum Element {
        /// An op whose type is in `types` (nil: any op).
        case op(label: String, types: Set<String>?)
        /// An op output; `valued` requires a known value (POT's "const" inputs).
        case data(label: String, valued: Bool)
        var label: String {
            switch self { case .op(let l, _), .data(let l, _): return l }
        }
    }
    /// Extra condition on a match, after which the match is ignored when it holds.
    enum Check { case none, scaleShiftBranching, eltwiseBranching }

    var name: String
    var elements: [Element] = []
    var edges: [(Int, Int)] = []
    var check: Check = .none
}

/// Builds patterns the way POT's `PatternBuilder` chains them: each op gets an output data element,
/// and an op added without explicit inputs reads the destination of the last edge added.
struct PatternChain {
    var pattern: GraphPattern
    private var counts: [String: Int] = [:]
    private var fresh = false
    init(_ name: String, check: GraphPattern.Check = .none) { pattern = GraphPattern(name: name, check: check) }

    private mutating func unique(_ base: String) -> String {
        counts[base, default: 0] += 1
        let n = counts[base]!
        return n == 1 ? base : "\(base)_\(n - 1)"
    }
    private mutating func defaultInputs() -> [Int] {
        if fresh { fresh = false; return [] }
        return pattern.edges.last.map { [$0.1] } ?? []
    }
    private mutating func element(_ e: GraphPattern.Element) -> Int {
        pattern.elements.append(e)
        return pattern.elements.count - 1
    }

    /// An op reading `inputs` (default: the tail). Returns its data element (the op itself for Result).
    @discardableResult
    mutating func op(_ types: Set<String>?, _ label: String, inputs: [Int]? = nil) -> Int {
        let ins = inputs ?? defaultInputs()
        let dataLabel = unique(label + "_data")
        let op = element(.op(label: unique(label), types: types))
        for i in ins { pattern.edges.append((i, op)) }
        if types == ["Result"] { return op }
        let data = element(.data(label: dataLabel, valued: false))
        pattern.edges.append((op, data))
        return data
    }

    /// An op with a second, known-valued input (any producer op). Returns its data element.
    @discardableResult
    mutating func opConst(_ types: Set<String>?, _ label: String, input: Int? = nil) -> Int {
        let ins = input.map { [$0] } ?? defaultInputs()
        let l = unique(label.lowercased()), c = unique(label.lowercased() + "_const")
        let cd = unique(label.lowercased() + "_const_data"), d = unique(label.lowercased() + "_data")
        let cOp = element(.op(label: c, types: nil))
        let cData = element(.data(label: cd, valued: true))
        let op = element(.op(label: l, types: types))
        let data = element(.data(label: d, valued: false))
        for i in ins { pattern.edges.append((i, op)) }
        pattern.edges += [(cOp, cData), (cData, op), (op, data)]
        return data
    }

    /// Starts an unconnected chain: the next op added without explicit inputs has none.
    mutating func startChain() { fresh = true }
}

/// A graph element bound to a pattern element.
enum MatchItem: Equatable {
    case op(PNode)
    case data(PPort)
    static func == (a: MatchItem, b: MatchItem) -> Bool {
        switch (a, b) {
        case (.op(let x), .op(let y)): return x === y
        case (.data(let x), .data(let y)): return x == y
        default: return false
        }
    }
}

enum PatternMatcher {
    /// Every induced match of `pattern` in `graph`, as items in pattern element order.
    static func matches(_ pattern: GraphPattern, in graph: PGraph) -> [[MatchItem]] {
        let count = pattern.elements.count
        guard count > 0 else { return [] }
        var pEdges = Array(repeating: Array(repeating: 0, count: count), count: count)
        var adjacent = Array(repeating: [Int](), count: count)
        for (a, b) in pattern.edges {
            pEdges[a][b] += 1
            adjacent[a].append(b)
            adjacent[b].append(a)
        }
        // Visit order: breadth-first from element 0, each element anchored on an earlier neighbour.
        var order = [0], anchor = [0: -1], seen: Set<Int> = [0]
        var i = 0
        while i < order.count {
            for n in adjacent[order[i]] where seen.insert(n).inserted { order.append(n); anchor[n] = order[i] }
            i += 1
        }
        guard order.count == count else { return [] }

        var results: [[MatchItem]] = []
        var bound = [MatchItem?](repeating: nil, count: count)
        func candidates(_ e: Int) -> [MatchItem] {
            guard let a = anchor[e], a >= 0, let ay = bound[a] else {
                return graph.live.map { .op($0) }
            }
            switch (pattern.elements[e], ay) {
            case (.op, .data(let port)):
                var out: [MatchItem] = []
                if pEdges[e][a] > 0 { out.append(.op(port.node)) }
                if pEdges[a][e] > 0 {
                    for c in port.node.outputs[port.index] where !out.contains(.op(c.node)) { out.append(.op(c.node)) }
                }
                return out
            case (.data, .op(let node)):
                var out: [MatchItem] = []
                if pEdges[e][a] > 0 {
                    for case let s? in node.inputs where !out.contains(.data(s)) { out.append(.data(s)) }
                }
                if pEdges[a][e] > 0 {
                    for o in node.outputs.indices where !out.contains(.data(PPort(node: node, index: o))) {
                        out.append(.data(PPort(node: node, index: o)))
                    }
                }
                return out
            default: return []
            }
        }
        func fits(_ e: Int, _ x: MatchItem) -> Bool {
            switch (pattern.elements[e], x) {
            case (.op(_, let types), .op(let n)):
                if n.removed { return false }
                if let types, !types.contains(n.type) { return false }
            case (.data(_, let valued), .data(let p)):
                if valued && !p.node.valued[p.index] { return false }
            default: return false
            }
            for f in 0..<count {
                guard let y = bound[f] else { continue }
                if y == x { return false }
                if edgeCount(x, y) != pEdges[e][f] || edgeCount(y, x) != pEdges[f][e] { return false }
            }
            return true
        }
        func search(_ k: Int) {
            if k == count { results.append(bound.map { $0! }); return }
            let e = order[k]
            for x in candidates(e) where fits(e, x) {
                bound[e] = x
                search(k + 1)
                bound[e] = nil
            }
        }
        search(0)
        return results
    }

    /// Edges from `a` to `b` in MO's bipartite view.
    static func edgeCount(_ a: MatchItem, _ b: MatchItem) -> Int {
        switch (a, b) {
        case (.op(let n), .data(let p)): return p.node === n ? 1 : 0
        case (.data(let p), .op(let n)): return n.inputs.filter { $0 == p }.count
        default: return 0
        }
    }
}
