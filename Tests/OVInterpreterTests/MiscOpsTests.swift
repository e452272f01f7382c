import Testing
import OVInterpreter
import _TestSupport

/// Einsum, DFT family, GridSample and ROIAlign with hand-checkable numbers.
@Suite struct MiscOpsTests {
    private func einsum(_ eq: String, _ inputs: [Tensor]) throws -> Tensor {
        let b = GraphBuilder()
        b.result(b.op("Einsum", inputs.map { b.constant($0) }, ["equation": eq], version: "opset7"))
        return try run(b)[0]
    }

    @Test func einsumContractsTransposesAndTakesDiagonals() throws {
        let a = Tensor(shape: [2, 2], scalars: [Float(1), 2, 3, 4]), m = Tensor(shape: [2, 2], scalars: [Float(5), 6, 7, 8])
        expectFloats(try einsum("ij,jk->ik", [a, m]), [19, 22, 43, 50], shape: [2, 2])
        expectFloats(try einsum("ij,jk", [a, m]), [19, 22, 43, 50], shape: [2, 2])
        expectFloats(try einsum("ij->ji", [a]), [1, 3, 2, 4], shape: [2, 2])
        expectFloats(try einsum("ii->i", [a]), [1, 4], shape: [2])
        expectFloats(try einsum("ij->", [a]), [10], shape: [])
        expectFloats(try einsum("...j->...", [a]), [3, 7], shape: [2])
        let f64 = try einsum("ij->i", [Tensor(shape: [2, 2], scalars: [1.0, 2, 3, 4])])
        #expect(try f64.scalars(as: Double.self) == [3, 7])
    }

    @Test func einsumRejectsBadEquations() throws {
        let a = Tensor(shape: [2, 2], scalars: [Float(1), 2, 3, 4])
        #expect(throws: OVIRError.self) { try einsum("ij->k", [a]) }
        #expect(throws: OVIRError.self) { try einsum("ijk->i", [a]) }
    }

    private func dft(_ type: String, _ data: Tensor, axes: [Int64], signal: [Int64]? = nil) throws -> Tensor {
        let b = GraphBuilder()
        var ins = [b.constant(data), b.constant(i64: axes)]
        if let signal { ins.append(b.constant(i64: signal)) }
        b.result(b.op(type, ins, version: type.hasPrefix("R") || type.hasPrefix("IR") ? "opset9" : "opset7"))
        return try run(b)[0]
    }

    @Test func dftOfFourPoints() throws {
        let x = Tensor(shape: [4, 2], scalars: [Float(1), 0, 2, 0, 3, 0, 4, 0])
        let spectrum: [Float] = [10, 0, -2, 2, -2, 0, -2, -2]
        expectFloats(try dft("DFT", x, axes: [0]), spectrum, shape: [4, 2], atol: 1e-5)
        expectFloats(try dft("IDFT", Tensor(shape: [4, 2], scalars: spectrum), axes: [-1]), [1, 0, 2, 0, 3, 0, 4, 0], shape: [4, 2], atol: 1e-5)
        // signal_size 2 trims to [1, 2]: [3, -1]; 6 zero-pads.
        expectFloats(try dft("DFT", x, axes: [0], signal: [2]), [3, 0, -1, 0], shape: [2, 2], atol: 1e-5)
        #expect(try dft("DFT", x, axes: [0], signal: [6]).shape == [6, 2])
    }

    @Test func realDFTKeepsHalfTheSpectrum() throws {
        let x = Tensor(shape: [4], scalars: [Float(1), 2, 3, 4])
        expectFloats(try dft("RDFT", x, axes: [0]), [10, 0, -2, 2, -2, 0], shape: [3, 2], atol: 1e-5)
        let half = Tensor(shape: [3, 2], scalars: [Float(10), 0, -2, 2, -2, 0])
        expectFloats(try dft("IRDFT", half, axes: [0]), [1, 2, 3, 4], shape: [4], atol: 1e-5)
    }

    private func gridSample(_ attrs: [String: String], _ grid: [Float]) throws -> [Float] {
        let b = GraphBuilder()
        let data = b.constant([1, 2, 3, 4], shape: [1, 1, 2, 2])
        b.result(b.op("GridSample", [data, b.constant(grid, shape: [1, 1, grid.count / 2, 2])], attrs, version: "opset9"))
        return try run(b)[0].floatValues()
    }

    @Test func gridSampleModesAndPadding() throws {
        // Centre of the image: the average; (-1, -1) without align_corners is half a pixel outside.
        #expect(try gridSample([:], [0, 0, -1, -1]) == [2.5, 0.25])
        #expect(try gridSample(["padding_mode": "border"], [-1, -1]) == [1])
        #expect(try gridSample(["align_corners": "true"], [-1, -1, 1, -1]) == [1, 2])
        // Denormalised x = y = 0.55 rounds to pixel (1, 1).
        #expect(try gridSample(["align_corners": "true", "mode": "nearest"], [0.1, 0.1]) == [4])
        // On a pixel centre the cubic weights are (0, 1, 0, 0).
        #expect(try gridSample(["align_corners": "true", "mode": "bicubic"], [1, 1]) == [4])
        #expect(throws: OVIRError.self) { try gridSample(["mode": "linear"], [0, 0]) }
    }

    private func roiAlign(_ attrs: [String: String], version: String = "opset9") throws -> Float {
        let b = GraphBuilder()
        let data = b.constant((0..<16).map(Float.init), shape: [1, 1, 4, 4])   // value = 4y + x
        let rois = b.constant([0, 0, 3, 3], shape: [1, 4])
        var a = ["pooled_h": "1", "pooled_w": "1", "sampling_ratio": "2", "spatial_scale": "1", "mode": "avg"]
        a.merge(attrs) { $1 }
        b.result(b.op("ROIAlign", [data, rois, b.constant(i64: [0])], a, version: version))
        let out = try run(b)[0]
        #expect(out.shape == [1, 1, 1, 1])
        return out.floatValues()[0]
    }

    @Test func roiAlignAveragesBilinearSamples() throws {
        // Samples at 0.75 and 2.25 on both axes of a linear image: the value at (1.5, 1.5).
        #expect(try roiAlign([:]) == 7.5)
        #expect(try roiAlign([:], version: "opset3") == 7.5)
        #expect(try roiAlign(["mode": "max"]) == 11.25)
        // half_pixel_for_nn shifts the box by -0.5: samples at 0.25 and 1.75.
        #expect(try roiAlign(["aligned_mode": "half_pixel_for_nn"]) == 5)
        #expect(try roiAlign(["aligned_mode": "half_pixel"]) == 7.5)
    }
}
