/// ROIAlign-3 and ROIAlign-9: pools each box of `rois [R, 4]` (x1, y1, x2, y2, scaled by
/// `spatial_scale`) from image `batch_indices[r]` of `data [N, C, H, W]` into
/// `[R, C, pooled_h, pooled_w]`. Each bin averages (or takes the max of, starting from 0) bilinear
/// samples on a `sampling_ratio`² grid (0: `ceil(bin size)` per axis). ROIAlign-9's `aligned_mode`
/// shifts the box: `half_pixel_for_nn` by -0.5 after scaling, `half_pixel` by +0.5 before and -0.5
/// after; `asymmetric` (ROIAlign-3) makes boxes at least 1×1.
final class ROIAlignKernel: Kernel {
    let pooledH: Int, pooledW: Int, samplingRatio: Int
    let spatialScale: Float
    let maxMode: Bool
    let offsetSrc: Float, offsetDst: Float
    let aligned: Bool

    init(node: Node, version: Int) throws {
        let a = node.attributes
        pooledH = try a.int("pooled_h")
        pooledW = try a.int("pooled_w")
        samplingRatio = try a.int("sampling_ratio")
        spatialScale = try a.float("spatial_scale")
        guard pooledH > 0, pooledW > 0, samplingRatio >= 0 else {
            throw OVIRError("ROIAlign: expected positive pooled_h/pooled_w and a non-negative sampling_ratio, found \(pooledH), \(pooledW), \(samplingRatio)")
        }
        maxMode = try a.choice("mode", ["avg", "max"]) == "max"
        let mode = version >= 9 ? try a.choice("aligned_mode", ["asymmetric", "half_pixel_for_nn", "half_pixel"], default: "asymmetric") : "asymmetric"
        aligned = mode != "asymmetric"
        offsetSrc = mode == "half_pixel" ? 0.5 : 0
        offsetDst = aligned ? -0.5 : 0
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 3 else { throw OVIRError("ROIAlign expects 3 inputs (data, rois, batch_indices), found \(inputs.count)") }
        guard inputs[0].elementType == .f32, inputs[1].elementType == .f32, inputs[2].elementType.isInteger else {
            throw OVIRError("ROIAlign: expected f32 data and rois and integer batch_indices, found \(inputs.map(\.elementType.rawValue))")
        }
        if let r = inputs[0].shape.rank, r != 4 { throw OVIRError("ROIAlign data: expected rank 4, found \(inputs[0].shape)") }
        if let d = inputs[1].shape.dims, d.count != 2 || (d[1].staticValue.map { $0 != 4 } ?? false) {
            throw OVIRError("ROIAlign rois: expected [num_rois, 4], found \(inputs[1].shape)")
        }
        let rois = inputs[1].shape.dims?[0] ?? .dynamic, channels = inputs[0].shape.dims?[1] ?? .dynamic
        return [ValueInfo(.f32, PartialShape([rois, channels, .fixed(pooledH), .fixed(pooledW)]))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let s = inputs[0].shape
        let (n, c, h, w) = (s[0], s[1], s[2], s[3])
        let data = inputs[0].pointer(Float.self), rois = inputs[1].pointer(Float.self), out = outputs[0].pointer(Float.self)
        let roiCount = inputs[1].shape[0]
        guard inputs[2].count == roiCount else {
            throw OVIRError("ROIAlign: \(roiCount) rois but \(inputs[2].count) batch indices")
        }
        for r in 0..<roiCount {
            let bi = Int(inputs[2].int64Value(at: r))
            guard bi >= 0 && bi < n else { throw OVIRError("ROIAlign: batch index \(bi) of roi \(r) is out of range [0, \(n))") }
            let box = (0..<4).map { (rois[r * 4 + $0] + offsetSrc) * spatialScale + offsetDst }
            var roiW = box[2] - box[0], roiH = box[3] - box[1]
            if !aligned { roiW = Swift.max(roiW, 1); roiH = Swift.max(roiH, 1) }
            let binW = roiW / Float(pooledW), binH = roiH / Float(pooledH)
            let sx = samplingRatio > 0 ? samplingRatio : Int(binW.rounded(.up))
            let sy = samplingRatio > 0 ? samplingRatio : Int(binH.rounded(.up))
            let samples = sx * sy
            // Sample corners and weights are the same for every channel.
            var taps: [(Int, Float)] = []
            taps.reserveCapacity(pooledH * pooledW * samples * 4)
            for py in 0..<pooledH {
                for px in 0..<pooledW {
                    for iy in 0..<sy {
                        let y = box[1] + Float(py) * binH + binH / Float(sy) * (Float(iy) + 0.5)
                        for ix in 0..<sx {
                            let x = box[0] + Float(px) * binW + binW / Float(sx) * (Float(ix) + 0.5)
                            taps += bilinearTaps(y: y, x: x, h: h, w: w)
                        }
                    }
                }
            }
            for ch in 0..<c {
                let plane = data + (bi * c + ch) * h * w
                var t = 0
                for bin in 0..<(pooledH * pooledW) {
                    var pooled: Float = 0
                    for _ in 0..<samples {
                        let v = taps[t].1 * plane[taps[t].0] + taps[t + 1].1 * plane[taps[t + 1].0]
                            + taps[t + 2].1 * plane[taps[t + 2].0] + taps[t + 3].1 * plane[taps[t + 3].0]
                        pooled = maxMode ? Swift.max(pooled, v) : pooled + v / Float(samples)
                        t += 4
                    }
                    out[(r * c + ch) * pooledH * pooledW + bin] = pooled
                }
            }
        }
    }

    /// The four (offset, weight) taps of a bilinear sample; zero weights outside [-1, size].
    private func bilinearTaps(y yIn: Float, x xIn: Float, h: Int, w: Int) -> [(Int, Float)] {
        if yIn < -1 || yIn > Float(h) || xIn < -1 || xIn > Float(w) { return Array(repeating: (0, 0), count: 4) }
        var y = Swift.max(yIn, 0), x = Swift.max(xIn, 0)
        var y0 = Int(y), x0 = Int(x), y1 = y0 + 1, x1 = x0 + 1
        if y0 >= h - 1 { y0 = h - 1; y1 = h - 1; y = Float(y0) }
        if x0 >= w - 1 { x0 = w - 1; x1 = w - 1; x = Float(x0) }
        let ly = y - Float(y0), lx = x - Float(x0), hy = 1 - ly, hx = 1 - lx
        return [(y0 * w + x0, hy * hx), (y0 * w + x1, hy * lx), (y1 * w + x0, ly * hx), (y1 * w + x1, ly * lx)]
    }
}
