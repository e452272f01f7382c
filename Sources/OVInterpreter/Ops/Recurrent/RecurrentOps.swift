#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Recurrent cells and sequences: RNNCell-0, GRUCell-3, LSTMCell-4 (and LSTMCell-0 with peepholes),
/// RNNSequence-5, GRUSequence-5 and LSTMSequence-5.
///
/// Gate orders are OpenVINO's: LSTM `f, i, c, o`; GRU `z, r, h`. Weights are `[gates*hidden, input]`.
enum RecurrentOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("RNNCell", 0) { try RecurrentCellKernel(node: $0, kind: .rnn) },
        OpDefinition("GRUCell", 3) { try RecurrentCellKernel(node: $0, kind: .gru) },
        OpDefinition("LSTMCell", 0) { try RecurrentCellKernel(node: $0, kind: .lstm, peepholes: true) },
        OpDefinition("LSTMCell", 4) { try RecurrentCellKernel(node: $0, kind: .lstm) },
        OpDefinition("RNNSequence", 5) { try RecurrentSequenceKernel(node: $0, kind: .rnn) },
        OpDefinition("GRUSequence", 5) { try RecurrentSequenceKernel(node: $0, kind: .gru) },
        OpDefinition("LSTMSequence", 5) { try RecurrentSequenceKernel(node: $0, kind: .lstm) },
    ]
}

/// Which recurrent cell a node computes.
enum CellKind: Sendable {
    case rnn, gru, lstm

    /// Gates stacked in W and R.
    var gates: Int {
        switch self {
        case .rnn: return 1
        case .gru: return 3
        case .lstm: return 4
        }
    }

    /// Activations used when the IR gives none (spec defaults).
    var defaultActivations: [String] {
        switch self {
        case .rnn: return ["tanh"]
        case .gru: return ["sigmoid", "tanh"]
        case .lstm: return ["sigmoid", "tanh", "tanh"]
        }
    }
}

/// An activation named in `activations` (with its `activations_alpha`/`activations_beta`).
struct RecurrentActivation: Sendable {
    enum Function: Sendable { case sigmoid, tanh, relu, hardSigmoid }
    let function: Function
    let alpha: Float
    let beta: Float

    init(name: String, alpha: Float?, beta: Float?) throws {
        switch name.lowercased() {
        case "sigmoid": function = .sigmoid
        case "tanh": function = .tanh
        case "relu": function = .relu
        case "hardsigmoid": function = .hardSigmoid
        default: throw OVIRError("attribute 'activations': unsupported activation '\(name)'; expected sigmoid, tanh, relu or hardsigmoid")
        }
        self.alpha = alpha ?? 0.2
        self.beta = beta ?? 0.5
    }

    @inline(__always)
    func callAsFunction(_ x: Float) -> Float {
        switch function {
        case .sigmoid: return 1 / (1 + LibM.exp(-x))
        case .tanh: return LibM.tanh(x)
        case .relu: return x > 0 ? x : 0
        case .hardSigmoid: return Swift.max(0, Swift.min(1, alpha * x + beta))
        }
    }
}

/// The attributes shared by every recurrent op, parsed once.
struct RecurrentConfig: Sendable {
    let kind: CellKind
    let hiddenSize: Int
    let activations: [RecurrentActivation]
    let clip: Float
    let linearBeforeReset: Bool
    /// 1 or 2 (bidirectional).
    let directions: Int
    /// For one direction: whether it runs backwards over time.
    let reverse: Bool

    init(node: Node, kind: CellKind, sequence: Bool) throws {
        let a = node.attributes
        self.kind = kind
        hiddenSize = try a.int("hidden_size")
        guard hiddenSize > 0 else { throw OVIRError("attribute 'hidden_size': expected a positive integer, found \(hiddenSize)") }
        var names = a.has("activations") ? try a.strings("activations").filter { !$0.isEmpty } : []
        if names.isEmpty { names = kind.defaultActivations }
        let needed = kind.defaultActivations.count
        guard names.count >= needed else {
            throw OVIRError("attribute 'activations': \(kind) needs \(needed) activation(s), found \(names.count) (\(names.joined(separator: ", ")))")
        }
        let alphas = try a.doubles("activations_alpha", default: [])
        let betas = try a.doubles("activations_beta", default: [])
        activations = try names.prefix(needed).enumerated().map { (i, n) in
            try RecurrentActivation(name: n, alpha: i < alphas.count ? Float(alphas[i]) : nil,
                                    beta: i < betas.count ? Float(betas[i]) : nil)
        }
        clip = try a.float("clip", default: 0)
        linearBeforeReset = kind == .gru ? try a.bool("linear_before_reset", default: false) : false
        if sequence {
            let dir = try a.choice("direction", ["forward", "reverse", "bidirectional"])
            directions = dir == "bidirectional" ? 2 : 1
            reverse = dir == "reverse"
        } else {
            directions = 1
            reverse = false
        }
    }

    /// Rows of the bias: `gates*hidden`, or `4*hidden` for GRU with `linear_before_reset`.
    var biasRows: Int { (kind == .gru && linearBeforeReset ? 4 : kind.gates) * hiddenSize }
    var gateRows: Int { kind.gates * hiddenSize }
}

extension RecurrentOps {
    /// Checks that every input is f32, naming the first that is not.
    static func requireF32(_ inputs: [ValueInfo], skipping: Set<Int> = [], op: String) throws {
        for (i, v) in inputs.enumerated() where !skipping.contains(i) && v.elementType != .f32 {
            throw OVIRError("\(op) input \(i): expected f32, found \(v.elementType.rawValue)")
        }
    }

    /// Dimension `k` of `shape` (dynamic when the rank is unknown).
    static func dim(_ shape: PartialShape, _ k: Int) -> OVIR.Dimension {
        guard let d = shape.dims, k < d.count else { return .dynamic }
        return d[k]
    }

    /// Checks a partial shape's rank (when known) and the static dims that must match.
    static func checkShape(_ shape: PartialShape, rank: Int, _ expected: [Int?], _ what: String) throws {
        guard let d = shape.dims else { return }
        guard d.count == rank else { throw OVIRError("\(what): expected rank \(rank), found shape \(shape)") }
        for (k, e) in expected.enumerated() {
            if let e, let v = d[k].staticValue, v != e {
                throw OVIRError("\(what): expected dim \(k) = \(e), found shape \(shape)")
            }
        }
    }
}
