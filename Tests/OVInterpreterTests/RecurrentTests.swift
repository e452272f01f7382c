import Testing
import OVInterpreter
import _TestSupport

/// Recurrent cells and sequences with hand-checkable numbers.
@Suite struct RecurrentTests {
    @Test func rnnCellIsTanhOfAffine() throws {
        let b = GraphBuilder()
        let x = b.constant([1, 2], shape: [1, 2]), h = b.constant([0.5], shape: [1, 1])
        let w = b.constant([0.1, 0.2], shape: [1, 2]), r = b.constant([0.3], shape: [1, 1]), bias = b.constant([0.1], shape: [1])
        b.result(b.op("RNNCell", [x, h, w, r, bias], ["hidden_size": "1"], version: "opset1"))
        // tanh(0.1 + 0.4 + 0.15 + 0.1)
        expectFloats(try run(b)[0], [0.635148952], shape: [1, 1])
    }

    private func gruCell(linearBeforeReset: Bool) throws -> Float {
        let b = GraphBuilder()
        let x = b.constant([1], shape: [1, 1]), h = b.constant([0.5], shape: [1, 1])
        let w = b.constant([0.5, -0.5, 1], shape: [3, 1]), r = b.constant([1, 1, 2], shape: [3, 1])
        let bias = linearBeforeReset ? b.constant([0, 0, 0, 1], shape: [4]) : b.constant([0, 0, 0], shape: [3])
        b.result(b.op("GRUCell", [x, h, w, r, bias],
                      ["hidden_size": "1", "linear_before_reset": linearBeforeReset ? "true" : "false"], version: "opset3"))
        return try run(b)[0].floatValues()[0]
    }

    @Test func gruCellGatesAreZRH() throws {
        // z = σ(1), r = σ(0) = 0.5, h~ = tanh(1 + 2·(0.5·0.5)) = tanh(1.5); H = (1-z)·h~ + z·0.5
        #expect(abs(try gruCell(linearBeforeReset: false) - 0.6089611) < 1e-6)
        // linear_before_reset: h~ = tanh(1 + 0.5·(2·0.5 + 1)) = tanh(2)
        #expect(abs(try gruCell(linearBeforeReset: true) - 0.6247962) < 1e-6)
    }

    @Test func lstmCellGatesAreFICO() throws {
        let b = GraphBuilder()
        let x = b.constant([1], shape: [1, 1]), h = b.constant([0], shape: [1, 1]), c = b.constant([1], shape: [1, 1])
        let w = b.constant([0, 0, 1, 0], shape: [4, 1]), r = b.constant([0, 0, 0, 0], shape: [4, 1])
        let bias = b.constant([0, 0, 0, 0], shape: [4])
        let n = b.node("LSTMCell", [x, h, c, w, r, bias], attributes: ["hidden_size": "1"], version: "opset4", outputs: 2)
        b.result(n.output(0)); b.result(n.output(1))
        let out = try run(b)
        // f = i = o = 0.5, c~ = tanh(1): C = 0.5 + 0.5·tanh(1), H = 0.5·tanh(C)
        expectFloats(out[0], [0.35340920], shape: [1, 1])
        expectFloats(out[1], [0.88079708], shape: [1, 1])
    }

    /// RNN with relu, W = R = 1, B = 0: H_t = relu(x_t + H_t-1), a running sum.
    private func runningSum(direction: String, clip: String = "0") throws -> [Tensor] {
        let b = GraphBuilder()
        let nd = direction == "bidirectional" ? 2 : 1
        let x = b.constant([1, 2, 3, 1, 1, 1], shape: [2, 3, 1])
        let h0 = b.constant([Float](repeating: 0, count: 2 * nd), shape: [2, nd, 1])
        let lengths = b.constant(i64: [3, 2])
        let w = b.constant([Float](repeating: 1, count: nd), shape: [nd, 1, 1])
        let r = b.constant([Float](repeating: 1, count: nd), shape: [nd, 1, 1])
        let bias = b.constant([Float](repeating: 0, count: nd), shape: [nd, 1])
        let n = b.node("RNNSequence", [x, h0, lengths, w, r, bias],
                       attributes: ["hidden_size": "1", "direction": direction, "activations": "relu", "clip": clip],
                       version: "opset5", outputs: 2)
        b.result(n.output(0)); b.result(n.output(1))
        return try run(b)
    }

    @Test func rnnSequenceForwardStopsAtSequenceLength() throws {
        let out = try runningSum(direction: "forward")
        expectFloats(out[0], [1, 3, 6, 1, 2, 0], shape: [2, 1, 3, 1])
        expectFloats(out[1], [6, 2], shape: [2, 1, 1])
    }

    @Test func rnnSequenceReverseReadsEachSequenceBackwards() throws {
        let out = try runningSum(direction: "reverse")
        expectFloats(out[0], [6, 5, 3, 2, 1, 0], shape: [2, 1, 3, 1])
        expectFloats(out[1], [6, 2], shape: [2, 1, 1])
    }

    @Test func rnnSequenceBidirectionalStacksDirections() throws {
        let out = try runningSum(direction: "bidirectional")
        expectFloats(out[0], [1, 3, 6, 6, 5, 3, 1, 2, 0, 2, 1, 0], shape: [2, 2, 3, 1])
        expectFloats(out[1], [6, 6, 2, 2], shape: [2, 2, 1])
    }

    @Test func clipBoundsPreActivations() throws {
        // relu(clip(x + h, 2)): 1, 2, 2
        let out = try runningSum(direction: "forward", clip: "2")
        expectFloats(out[0], [1, 2, 2, 1, 2, 0], shape: [2, 1, 3, 1])
    }

    @Test func lstmSequenceMatchesNumpy() throws {
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [1, 2, 1])
        let h0 = b.constant([0.1, -0.2], shape: [1, 1, 2]), c0 = b.constant([0.3, 0], shape: [1, 1, 2])
        let w = b.constant([0.27, -0.46, -0.92, -0.97, 0.63, 0.83, 0.21, 0.46], shape: [1, 8, 1])
        let r = b.constant([0.09, 0.87, 0.63, -0.99, 0.71, -0.93, 0.46, -0.65,
                            0.73, 0.08, -0.4, -0.15, -0.94, -0.75, 0.34, 0.29], shape: [1, 8, 2])
        let bias = b.constant([0.23, -0.23, 0.99, 0.96, 0.37, 0.3, 0.38, -0.22], shape: [1, 8])
        let n = b.node("LSTMSequence", [x, h0, c0, b.constant(i64: [2]), w, r, bias],
                       attributes: ["hidden_size": "2", "direction": "forward"], version: "opset5", outputs: 3)
        for k in 0..<3 { b.result(n.output(k)) }
        let out = try run(b, [Tensor(shape: [1, 2, 1], scalars: [Float(0.5), -1])])
        expectFloats(out[0], [0.33859302, 0.18834369, 0.13407465, -0.10972496], shape: [1, 1, 2, 2])
        expectFloats(out[1], [0.13407465, -0.10972496], shape: [1, 1, 2])
        expectFloats(out[2], [0.32405896, -0.30129387], shape: [1, 1, 2])
    }

    @Test func badWeightsShapeIsAnError() throws {
        let b = GraphBuilder()
        let x = b.constant([1, 2], shape: [1, 2]), h = b.constant([0.5], shape: [1, 1])
        let w = b.constant([0.1, 0.2, 0.3], shape: [1, 3]), r = b.constant([0.3], shape: [1, 1])
        b.result(b.op("RNNCell", [x, h, w, r], ["hidden_size": "1"], version: "opset1"))
        #expect(throws: OVIRError.self) { try run(b) }
    }
}
