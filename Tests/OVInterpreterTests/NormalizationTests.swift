import Testing
import OVInterpreter
import _TestSupport

/// Hand-checked cases for MVN-1/6, NormalizeL2-1, BatchNormInference-1/5, GroupNormalization-12 and LRN-1.
@Suite("Normalization")
struct NormalizationTests {
    private func op(_ type: String, _ x: Tensor, _ consts: [Tensor], _ attrs: [String: String], version: String,
                    dataIndex: Int = 0) throws -> Tensor {
        let b = GraphBuilder()
        let p = b.parameter("x", .f32, x.shape)
        var ins = consts.map { b.constant($0) }
        ins.insert(p, at: dataIndex)
        b.result(b.op(type, ins, attrs, version: version))
        return try run(b, [x])[0]
    }

    let row = Tensor(shape: [1, 4], scalars: [1, 2, 3, 4] as [Float])
    let axis1 = Tensor(shape: [1], scalars: [1] as [Int64])

    @Test func mvn6() throws {
        // mean 2.5, variance 1.25
        var a = ["eps": "0", "normalize_variance": "true", "eps_mode": "inside_sqrt"]
        expectFloats(try op("MVN", row, [axis1], a, version: "opset6"), [-1.3416408, -0.4472136, 0.4472136, 1.3416408])
        a["eps"] = "1"
        a["eps_mode"] = "outside_sqrt"
        expectFloats(try op("MVN", row, [axis1], a, version: "opset6"), [-0.7082039, -0.2360680, 0.2360680, 0.7082039])
        a["normalize_variance"] = "false"
        expectFloats(try op("MVN", row, [Tensor(shape: [1], scalars: [-1] as [Int64])], a, version: "opset6"), [-1.5, -0.5, 0.5, 1.5])
    }

    @Test func mvn1PerChannel() throws {
        let x = Tensor(shape: [1, 2, 2], scalars: [1, 3, 2, 6] as [Float])
        let a = ["eps": "0", "normalize_variance": "true", "across_channels": "false"]
        expectFloats(try op("MVN", x, [], a, version: "opset2"), [-1, 1, -1, 1], shape: [1, 2, 2])
    }

    @Test func normalizeL2() throws {
        let x = Tensor(shape: [2], scalars: [3, 4] as [Float])
        let ax = Tensor(shape: [1], scalars: [0] as [Int64])
        expectFloats(try op("NormalizeL2", x, [ax], ["eps": "0", "eps_mode": "add"], version: "opset1"), [0.6, 0.8])
        expectFloats(try op("NormalizeL2", x, [ax], ["eps": "100", "eps_mode": "max"], version: "opset1"), [0.3, 0.4])
    }

    @Test func batchNorm() throws {
        let x = Tensor(shape: [1, 2, 1, 2], scalars: [1, 2, 3, 4] as [Float])
        let params = [[1, 2], [0, 1], [1, 3], [4, 1]].map { Tensor(shape: [2], scalars: $0.map(Float.init)) }
        let expected: [Float] = [0, 0.5, 1, 3]
        expectFloats(try op("BatchNormInference", x, params, ["epsilon": "0"], version: "opset5"), expected, shape: [1, 2, 1, 2])
        expectFloats(try op("BatchNormInference", x, params, ["epsilon": "0"], version: "opset1", dataIndex: 2), expected)
    }

    @Test func groupNormalization() throws {
        let x = Tensor(shape: [1, 2, 2], scalars: [1, 3, 2, 6] as [Float])
        let scale = Tensor(shape: [2], scalars: [1, 2] as [Float]), bias = Tensor(shape: [2], scalars: [0, 1] as [Float])
        let y = try op("GroupNormalization", x, [scale, bias], ["num_groups": "2", "epsilon": "0"], version: "opset12")
        expectFloats(y, [-1, 1, -1, 3], shape: [1, 2, 2])
    }

    @Test func lrnAcrossChannels() throws {
        // alpha / size = 1: y = x / (1 + Σ neighbours²)
        let x = Tensor(shape: [1, 3, 1, 1], scalars: [1, 2, 3] as [Float])
        let y = try op("LRN", x, [axis1], ["alpha": "3", "beta": "1", "bias": "1", "size": "3"], version: "opset1")
        expectFloats(y, [1.0 / 6, 2.0 / 15, 3.0 / 14], shape: [1, 3, 1, 1])
    }
}
