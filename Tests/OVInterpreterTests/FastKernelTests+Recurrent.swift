import Testing
import OVInterpreter
import _TestSupport

/// Differential tests of ``FastRecurrentKernel`` against the reference recurrent kernels: every
/// cell kind (LSTM, GRU with and without linear_before_reset, RNN), directions forward, reverse and
/// bidirectional, one and several batch rows, sequence lengths shorter than the sequence (and 0),
/// clip, odd sizes, the speech model's sizes, and the cells. Every output (Y, Ho, Co) is compared.
/// Non-default activations and LSTMCell-0's peepholes must stay with the reference.
@Suite("Fast kernels: recurrent")
struct FastRecurrentTests {
    let random = FastKernelTests.random

    struct Case: CustomTestStringConvertible, Sendable {
        let kind: String, direction: String, batch: Int, seq: Int, input: Int, hidden: Int
        let lengths: [Int64], clip: Float, linearBeforeReset: Bool
        var testDescription: String {
            "\(kind) \(direction) batch \(batch) seq \(seq) input \(input) hidden \(hidden) lengths \(lengths) clip \(clip)\(linearBeforeReset ? " lbr" : "")"
        }
    }

    static func c(_ kind: String, _ direction: String, batch: Int, seq: Int, input: Int, hidden: Int,
                  lengths: [Int64]? = nil, clip: Float = 0, lbr: Bool = false) -> Case {
        Case(kind: kind, direction: direction, batch: batch, seq: seq, input: input, hidden: hidden,
             lengths: lengths ?? Array(repeating: Int64(seq), count: batch), clip: clip, linearBeforeReset: lbr)
    }

    static let sequences: [Case] = [
        c("LSTM", "forward", batch: 1, seq: 7, input: 5, hidden: 6),
        c("LSTM", "reverse", batch: 3, seq: 6, input: 4, hidden: 9, lengths: [6, 2, 0]),
        c("LSTM", "bidirectional", batch: 2, seq: 5, input: 3, hidden: 8, lengths: [5, 3], clip: 0.7),
        c("LSTM", "forward", batch: 3, seq: 4, input: 17, hidden: 33, lengths: [4, 4, 1]),
        c("LSTM", "bidirectional", batch: 1, seq: 9, input: 6, hidden: 5, lengths: [6]),
        c("LSTM", "forward", batch: 1, seq: 50, input: 128, hidden: 96),   // the speech model's LSTM
        c("GRU", "forward", batch: 1, seq: 6, input: 5, hidden: 7),
        c("GRU", "reverse", batch: 3, seq: 4, input: 6, hidden: 10, lengths: [4, 1, 3], lbr: true),
        c("GRU", "bidirectional", batch: 2, seq: 5, input: 4, hidden: 9, lengths: [2, 5], clip: 0.5),
        c("GRU", "bidirectional", batch: 1, seq: 6, input: 3, hidden: 12, lbr: true),
        c("GRU", "forward", batch: 4, seq: 3, input: 9, hidden: 17, lengths: [3, 0, 2, 1], clip: 1.5, lbr: true),
        c("GRU", "reverse", batch: 2, seq: 5, input: 7, hidden: 4, lengths: [3, 5]),
        c("GRU", "forward", batch: 1, seq: 50, input: 96, hidden: 96),     // the speech model's GRU
        c("RNN", "forward", batch: 2, seq: 5, input: 4, hidden: 6, lengths: [5, 2]),
        c("RNN", "reverse", batch: 1, seq: 7, input: 3, hidden: 11, clip: 0.4),
        c("RNN", "bidirectional", batch: 3, seq: 4, input: 5, hidden: 8, lengths: [1, 4, 0]),
    ]

    /// Runs the graph with reference kernels and with fast kernels (1 and 3 threads), checks that
    /// the node "target" was claimed by `kernel`, and compares every output.
    static func differential(kernel: String, inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
                             _ build: (GraphBuilder, [OutputRef]) -> [OutputRef]) throws {
        let g = GraphBuilder()
        let params = inputs.enumerated().map { g.parameter("in\($0.offset)", $0.element.elementType, $0.element.shape) }
        for out in build(g, params) { g.result(out) }
        let reference = try CompiledModel(graph: g.graph, options: CompileOptions(referenceKernelsOnly: true)).infer(inputs)
        for threads in [1, 3] {
            let fast = try CompiledModel(graph: g.graph, options: CompileOptions(threads: threads))
            #expect(fast.kernelNamesByNode["target"] == kernel, "claimed by \(fast.kernelNamesByNode["target"] ?? "nothing")",
                    sourceLocation: sourceLocation)
            let got = try fast.infer(inputs)
            #expect(got.count == reference.count, sourceLocation: sourceLocation)
            for (k, (r, f)) in zip(reference, got).enumerated() {
                #expect(r.shape == f.shape, sourceLocation: sourceLocation)
                let rv = r.floatValues(), fv = f.floatValues()
                let bad = zip(rv, fv).filter { e, v in !(abs(v - e) <= 1e-5 + 1e-4 * abs(e)) }
                let count = bad.count, example = bad.first.map { "\($0.1) vs \($0.0)" } ?? ""
                #expect(count == 0, "output \(k): \(count) of \(rv.count) differ (threads \(threads)), e.g. \(example)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    @Test(arguments: sequences)
    func sequence(_ c: Case) throws {
        let nd = c.direction == "bidirectional" ? 2 : 1
        let gates = c.kind == "LSTM" ? 4 : c.kind == "GRU" ? 3 : 1
        let biasRows = (c.kind == "GRU" && c.linearBeforeReset ? 4 : gates) * c.hidden
        let isLSTM = c.kind == "LSTM"
        // Weights scaled by 1/sqrt(fan-in) as trained ones are, so gates neither saturate nor vanish.
        let w = random([nd, gates * c.hidden, c.input], 21, 1 / Float(c.input).squareRoot())
        let r = random([nd, gates * c.hidden, c.hidden], 22, 1 / Float(c.hidden).squareRoot())
        let b = random([nd, biasRows], 23, 0.5)
        var inputs = [random([c.batch, c.seq, c.input], 24, 1), random([c.batch, nd, c.hidden], 25, 0.5)]
        if isLSTM { inputs.append(random([c.batch, nd, c.hidden], 26, 1)) }
        var attrs = ["hidden_size": "\(c.hidden)", "direction": c.direction, "clip": "\(c.clip)"]
        if c.kind == "GRU" { attrs["linear_before_reset"] = c.linearBeforeReset ? "true" : "false" }
        try Self.differential(kernel: "blas.recurrent", inputs: inputs) { g, p in
            let ins = p + [g.constant(i64: c.lengths), g.constant(w), g.constant(r), g.constant(b)]
            let n = g.node("\(c.kind)Sequence", ins, attributes: attrs, version: "opset5", outputs: isLSTM ? 3 : 2, name: "target")
            return (0..<(isLSTM ? 3 : 2)).map { n.output($0) }
        }
    }

    @Test(arguments: [
        ("LSTMCell", 1, true, false), ("LSTMCell", 3, false, false),
        ("GRUCell", 1, true, false), ("GRUCell", 2, true, true), ("GRUCell", 3, false, false),
        ("RNNCell", 1, true, false), ("RNNCell", 4, false, false),
    ])
    func cell(_ op: String, _ batch: Int, _ withBias: Bool, _ lbr: Bool) throws {
        let hidden = 13, input = 7
        let gates = op == "LSTMCell" ? 4 : op == "GRUCell" ? 3 : 1
        let isLSTM = op == "LSTMCell"
        let w = random([gates * hidden, input], 31, 0.4), r = random([gates * hidden, hidden], 32, 0.3)
        let b = random([(lbr ? 4 : gates) * hidden], 33, 0.5)
        var inputs = [random([batch, input], 34, 1), random([batch, hidden], 35, 0.5)]
        if isLSTM { inputs.append(random([batch, hidden], 36, 1)) }
        var attrs = ["hidden_size": "\(hidden)"]
        if op == "GRUCell" { attrs["linear_before_reset"] = lbr ? "true" : "false" }
        let version = isLSTM ? "opset4" : op == "GRUCell" ? "opset3" : "opset1"
        try Self.differential(kernel: "blas.recurrent", inputs: inputs) { g, p in
            let ins = p + [g.constant(w), g.constant(r)] + (withBias ? [g.constant(b)] : [])
            let n = g.node(op, ins, attributes: attrs, version: version, outputs: isLSTM ? 2 : 1, name: "target")
            return (0..<(isLSTM ? 2 : 1)).map { n.output($0) }
        }
    }

    /// Non-default activations and LSTMCell-0 peepholes run the reference kernel.
    @Test func unsupportedVariantsStayWithTheReference() throws {
        let g = GraphBuilder()
        let x = g.parameter("x", .f32, [1, 3, 2]), h0 = g.parameter("h", .f32, [1, 1, 4])
        let rnn = g.node("RNNSequence", [x, h0, g.constant(i64: [3]), g.constant(random([1, 4, 2], 41, 1)),
                                         g.constant(random([1, 4, 4], 42, 1)), g.constant(random([1, 4], 43, 1))],
                         attributes: ["hidden_size": "4", "direction": "forward", "activations": "relu"],
                         version: "opset5", outputs: 2, name: "relu_rnn")
        g.result(rnn.output(0))
        let cx = g.parameter("cx", .f32, [1, 2]), ch = g.parameter("ch", .f32, [1, 4]), cc = g.parameter("cc", .f32, [1, 4])
        let lstm0 = g.node("LSTMCell", [cx, ch, cc, g.constant(random([16, 2], 44, 1)), g.constant(random([16, 4], 45, 1)),
                                        g.constant(random([16], 46, 1)), g.constant(random([12], 47, 1))],
                           attributes: ["hidden_size": "4"], version: "opset1", outputs: 2, name: "peephole_lstm")
        g.result(lstm0.output(0))
        let model = try CompiledModel(graph: g.graph, options: CompileOptions(threads: 1))
        #expect(model.kernelNamesByNode["relu_rnn"] == "ref")
        #expect(model.kernelNamesByNode["peephole_lstm"] == "ref")
    }
}
