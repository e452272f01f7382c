import Foundation
import Testing
import OVInterpreter
import _TestSupport

/// Hand-checked cases for FakeQuantize-1, and the POT INT8 face_landmark model end to end.
@Suite("FakeQuantize")
struct FakeQuantizeTests {
    /// FakeQuantize of a Parameter `x` with constant ranges.
    private func fq(_ x: Tensor, _ il: Tensor, _ ih: Tensor, _ ol: Tensor, _ oh: Tensor, levels: Int,
                    broadcast: String? = nil) throws -> Tensor {
        let b = GraphBuilder()
        let p = b.parameter("x", x.elementType, x.shape)
        var attrs = ["levels": "\(levels)"]
        if let broadcast { attrs["auto_broadcast"] = broadcast }
        let ranges = [il, ih, ol, oh].map { b.constant($0) }
        b.result(b.op("FakeQuantize", [p] + ranges, attrs, version: "opset1"))
        return try run(b, [x])[0]
    }

    private func s(_ v: Float) -> Tensor { f32([v], []) }

    @Test func perTensorU8Grid() throws {
        // 256 levels over [0, 2.55]: the grid step is 0.01.
        let y = try fq(f32([-1, 0, 0.004, 0.006, 1.0, 2.55, 3]), s(0), s(2.55), s(0), s(2.55), levels: 256)
        expectFloats(y, [0, 0, 0, 0.01, 1.0, 2.55, 2.55], shape: [7])
    }

    @Test func roundsHalfToEven() throws {
        // levels 3 over [0, 2]: (x - 0) / 2 * 2 = x, so 0.5 → 0 and 1.5 → 2.
        expectFloats(try fq(f32([0.5, 1, 1.5, 2.5]), s(0), s(2), s(0), s(2), levels: 3), [0, 1, 2, 2])
    }

    @Test func outputRangeAndBinary() throws {
        // levels 2 maps below the middle of [-1, 1] to -5 and above it to 5.
        expectFloats(try fq(f32([-0.1, 0.1, -7, 7]), s(-1), s(1), s(-5), s(5), levels: 2), [-5, 5, -5, 5])
    }

    @Test func invertedInputRange() throws {
        // il > ih: x <= min → ol, x > max → oh, inside: (x - 2) / (0 - 2) * 2 rounds, then maps to [0, 2].
        expectFloats(try fq(f32([-1, 0.4, 1, 3]), s(2), s(0), s(0), s(2), levels: 3), [0, 2, 1, 2])
    }

    @Test func perChannelRanges() throws {
        // x [1,2,2]; channel 0 quantizes on [0,2], channel 1 on [-1,1], both with 3 levels.
        let il = f32([0, -1], [1, 2, 1]), ih = f32([2, 1], [1, 2, 1])
        let y = try fq(f32([0.4, 1.6, -0.4, 0.6], [1, 2, 2]), il, ih, il, ih, levels: 3)
        expectFloats(y, [0, 2, 0, 1], shape: [1, 2, 2])
        // per-channel output range with a per-tensor input range (as POT's weight FQs with symmetric ranges)
        let z = try fq(f32([1, -1, 1, -1], [2, 2, 1, 1]), s(-1), s(1), f32([-2, -3], [2, 1, 1, 1]), f32([2, 3], [2, 1, 1, 1]), levels: 255)
        expectFloats(z, [2, -2, 3, -3], shape: [2, 2, 1, 1])
    }

    @Test func nanAndInfinity() throws {
        let y = try fq(f32([.nan, .infinity, -.infinity]), s(0), s(1), s(0), s(1), levels: 256).floatValues()
        #expect(y[0].isNaN && y[1] == 1 && y[2] == 0)
    }

    @Test func halfAndDouble() throws {
        func h(_ v: [Float]) -> Tensor { Tensor(shape: [v.count], scalars: v.map { Float16($0) }) }
        func hs(_ v: Float) -> Tensor { Tensor(shape: [], scalars: [Float16(v)]) }
        let y = try fq(h([0.26, 0.74]), hs(0), hs(1), hs(0), hs(1), levels: 3)
        #expect(try y.scalars(as: Float16.self) == [Float16(0.5), Float16(0.5)])
        func d(_ v: [Double], _ shape: [Int]) -> Tensor { Tensor(shape: shape, scalars: v) }
        let z = try fq(d([0.26, 0.24], [2]), d([0], []), d([1], []), d([0], []), d([1], []), levels: 3)
        #expect(z.doubleValues() == [0.5, 0])
    }

    @Test func badInputs() throws {
        #expect(throws: OVIRError.self) { try fq(f32([1]), s(0), s(1), s(0), s(1), levels: 1) }
        // ranges that would grow the output shape are rejected
        #expect(throws: OVIRError.self) { try fq(f32([1, 2]), f32([0, 0, 0]), s(1), s(0), s(1), levels: 256) }
    }

    /// The POT INT8 face_landmark model (109 FakeQuantize): the simulated INT8 output must be much closer
    /// to OpenVINO CPU's INT8 output than to the FP32 output.
    @Test func potInt8FaceLandmark() throws {
        let dir = Fixtures.url("models/face_landmark/pot")
        let graph = try IRReader.read(xmlPath: dir.appendingPathComponent("face_landmark_int8.xml").path)
        let model = try CompiledModel(graph: graph)
        let x = try Tensor(npyFile: dir.appendingPathComponent("in_0.npy"))
        let out = try model.infer([x])
        let int8 = try Tensor(npyFile: dir.appendingPathComponent("ref_int8_0_0.npy")).floatValues()
        let fp32 = try Tensor(npyFile: dir.appendingPathComponent("ref_fp32_0_0.npy")).floatValues()
        let ours = out[0].floatValues()
        #expect(ours.count == int8.count)
        func meanAbs(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.reduce(0, +) / Float(a.count) }
        let toInt8 = meanAbs(ours, int8), toFP32 = meanAbs(ours, fp32)
        #expect(toInt8 < 0.5, "mean |ours - int8 ref| = \(toInt8)")
        #expect(toInt8 < 0.5 * toFP32, "ours-int8 \(toInt8) vs ours-fp32 \(toFP32)")
        let score = out[1].floatValues()[0]
        let scoreInt8 = try Tensor(npyFile: dir.appendingPathComponent("ref_int8_0_1.npy")).floatValues()[0]
        #expect(abs(score - scoreInt8) < 0.5, "score \(score) vs int8 ref \(scoreInt8)")
    }
}
