import Testing
import OVInterpreter
import _TestSupport

/// Hand-checked cases for Interpolate-4/11 (the conformance test_resize_* cases cover the rest).
@Suite("Interpolate")
struct InterpolateTests {
    let x22 = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4] as [Float])
    let axes23 = Tensor(shape: [2], scalars: [2, 3] as [Int64])

    private func interpolate(_ x: Tensor, _ sizeOrScale: Tensor, axes: Tensor?, _ attrs: [String: String]) throws -> Tensor {
        let b = GraphBuilder()
        let p = b.parameter("x", .f32, x.shape)
        var ins = [p, b.constant(sizeOrScale)]
        if let axes { ins.append(b.constant(axes)) }
        var a = ["mode": "nearest", "shape_calculation_mode": "scales", "coordinate_transformation_mode": "half_pixel",
                 "nearest_mode": "round_prefer_floor", "antialias": "false", "cube_coeff": "-0.75"]
        a.merge(attrs) { $1 }
        b.result(b.op("Interpolate", ins, a, version: "opset11"))
        return try run(b, [x])[0]
    }

    @Test func nearestAsymmetricFloor() throws {
        let y = try interpolate(x22, Tensor(shape: [2], scalars: [2, 2] as [Float]), axes: axes23,
                                ["coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"])
        expectFloats(y, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], shape: [1, 1, 4, 4])
    }

    @Test func linearOnnxHalfPixel() throws {
        let y = try interpolate(x22, Tensor(shape: [2], scalars: [2, 2] as [Float]), axes: axes23, ["mode": "linear_onnx"])
        expectFloats(y, [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4], shape: [1, 1, 4, 4])
    }

    @Test func linearOnnxAlignCornersSizes() throws {
        let x = Tensor(shape: [1, 1, 1, 2], scalars: [1, 2] as [Float])
        let y = try interpolate(x, Tensor(shape: [4], scalars: [1, 1, 1, 3] as [Int64]), axes: nil,
                                ["mode": "linear_onnx", "shape_calculation_mode": "sizes", "coordinate_transformation_mode": "align_corners"])
        expectFloats(y, [1, 1.5, 2], shape: [1, 1, 1, 3])
    }

    @Test func nearestDownsampleScales() throws {
        // 4 * 0.5 = 2 outputs; half_pixel maps 0 → 0.5 and 1 → 2.5, rounded to prefer floor: 0 and 2.
        let x = Tensor(shape: [1, 1, 1, 4], scalars: [1, 2, 3, 4] as [Float])
        let y = try interpolate(x, Tensor(shape: [1], scalars: [0.5] as [Float]), axes: Tensor(shape: [1], scalars: [3] as [Int64]), [:])
        expectFloats(y, [1, 3], shape: [1, 1, 1, 2])
    }

    @Test func padsAreZeros() throws {
        let x = Tensor(shape: [1, 1, 1, 2], scalars: [1, 2] as [Float])
        let y = try interpolate(x, Tensor(shape: [1], scalars: [1] as [Float]), axes: Tensor(shape: [1], scalars: [3] as [Int64]),
                                ["pads_begin": "0,0,0,1", "pads_end": "0,0,0,1"])
        expectFloats(y, [0, 1, 2, 0], shape: [1, 1, 1, 4])
    }

    @Test func cubicKeepsConstants() throws {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [5, 5, 5, 5] as [Float])
        let y = try interpolate(x, Tensor(shape: [2], scalars: [1.5, 2] as [Float]), axes: axes23, ["mode": "cubic"])
        expectFloats(y, [Float](repeating: 5, count: 12), shape: [1, 1, 3, 4])
    }

    @Test func bilinearPillowUpsample() throws {
        // Upsampling by 2 with a triangle filter: the same as half-pixel linear interpolation inside,
        // edges clamped by renormalisation.
        let x = Tensor(shape: [1, 2], scalars: [0, 4] as [Float])
        let b = GraphBuilder()
        let p = b.parameter("x", .f32, x.shape)
        b.result(b.op("Interpolate", [p, b.constant(Tensor(shape: [1], scalars: [4] as [Int64])), b.constant(Tensor(shape: [1], scalars: [1] as [Int64]))],
                      ["mode": "bilinear_pillow", "shape_calculation_mode": "sizes"], version: "opset11"))
        expectFloats(try run(b, [x])[0], [0, 1, 3, 4], shape: [1, 4])
    }
}
