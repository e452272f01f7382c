import Testing
import OVIR
@testable import OVInterpreter
import _TestSupport

/// ``PackedConvGemm`` (packed weights, columns from the padded phase planes, 4x24 register tile)
/// against the reference convolution: the kernel itself on random geometries (any size, so every
/// edge of the tiling is hit), the convolution nodes it claims through the fast kernel, the fused
/// epilogue (bit-identical to the unfused run), and the packed-weight cache.
@Suite("Fast kernels: packed convolution GEMM")
struct PackedConvGemmTests {
    let random = FastKernelTests.random

    /// One convolution geometry: NCHW input, weights ([O, I, kh, kw] or [G, O/G, I/G, kh, kw]) and attributes.
    struct Geometry: CustomTestStringConvertible, Sendable {
        let x: [Int], w: [Int], grouped: Bool
        let strides: [Int], dilations: [Int], padsBegin: [Int], padsEnd: [Int]
        var attrs: [String: String] {
            let j = { (v: [Int]) in v.map(String.init).joined(separator: ",") }
            return ["strides": j(strides), "dilations": j(dilations), "pads_begin": j(padsBegin), "pads_end": j(padsEnd),
                    "auto_pad": "explicit"]
        }
        var testDescription: String { "x\(x) w\(w) s\(strides) d\(dilations) p\(padsBegin)/\(padsEnd)" }
    }

    /// Seeded random 2-D geometries: batch 1-2, groups 1-3, 1-40 input and 1-13 output channels per
    /// group, kernels 1-5 (non-square), stride 1-2, dilation 1-2, asymmetric padding 0-2, planes
    /// from 1 pixel up to 20 (so K blocks, panels, row panels and the grid's dropped columns all
    /// come in full and partial sizes).
    static let randomGeometries: [Geometry] = {
        var s: UInt64 = 0x9E37_79B9_7F4A_7C15
        func r(_ n: Int) -> Int {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Int((s >> 33) % UInt64(n))
        }
        return (0..<40).map { i in
            let groups = [1, 1, 1, 2, 3][r(5)]
            let cin = 1 + r(40), cout = 1 + r(13)
            let k = [1 + r(5), 1 + r(5)], st = [1 + r(2), 1 + r(2)], d = [1 + r(2), 1 + r(2)]
            let pb = [r(3), r(3)], pe = [r(3), r(3)]
            let hw = (0..<2).map { a in Swift.max(1, (k[a] - 1) * d[a] + 1 - pb[a] - pe[a]) + r(14) }
            let batch = i % 5 == 0 ? 2 : 1
            let w = groups == 1 ? [cout, cin, k[0], k[1]] : [groups, cout, cin, k[0], k[1]]
            return Geometry(x: [batch, cin * groups, hw[0], hw[1]], w: w, grouped: groups > 1,
                            strides: st, dilations: d, padsBegin: pb, padsEnd: pe)
        }
    }()

    static func graph(_ c: Geometry, weights: Tensor) -> Graph {
        let g = GraphBuilder()
        let p = g.parameter("x", .f32, c.x)
        g.result(g.op(c.grouped ? "GroupConvolution" : "Convolution", [p, g.constant(weights)], c.attrs,
                      version: "opset1", name: "target"))
        return g.graph
    }

    static func expectClose(_ got: [Float], _ want: [Float], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.count == want.count, sourceLocation: sourceLocation)
        var bad = 0, worst: (Float, Float) = (0, 0)
        for (v, e) in zip(got, want) where !(abs(v - e) <= 1e-5 + 1e-4 * abs(e)) {
            bad += 1
            worst = (v, e)
        }
        #expect(bad == 0, "\(what): \(bad) of \(want.count) values differ, e.g. \(worst.0) vs \(worst.1)", sourceLocation: sourceLocation)
    }

    /// The kernel run directly (whatever ``PackedConvGemm/claims`` would choose), plain and with a
    /// bias + PReLU epilogue, on 1 and 3 threads.
    @Test(arguments: randomGeometries + randomGeometries3D)
    func kernelMatchesReference(_ c: Geometry) throws {
        let fanIn = c.w.dropFirst(c.grouped ? 2 : 1).reduce(1, *)
        let wt = random(c.w, 11, 1 / Float(fanIn).squareRoot())
        let input = random(c.x, 12, 1)
        let reference = try CompiledModel(graph: Self.graph(c, weights: wt), options: CompileOptions(referenceKernelsOnly: true))
            .infer([input])[0]
        var attrs = Attributes()
        for (key, v) in c.attrs { attrs[key] = v }
        let shape = ConvShape(x: c.x, w: c.w, y: reference.shape, grouped: c.grouped, window: try SpatialWindow(attrs))
        let m = shape.outPerGroup, k = shape.inPerGroup * shape.taps
        var packed = [Float](repeating: .nan, count: PackedConvGemm.packedCount(groups: shape.groups, m: m, k: k))
        packed.withUnsafeMutableBufferPointer { p in
            PackedConvGemm.packWeights(wt.pointer(Float.self), groups: shape.groups, m: m, k: k, into: p.baseAddress!)
        }
        let channels = reference.shape[1]
        let bias = random([channels], 13, 1), slope = random([channels], 14, 0.5)
        let plane = reference.count / (reference.shape[0] * channels)
        let ref = reference.floatValues()
        let fusedRef: [Float] = ref.enumerated().map { i, v in
            let ch = (i / plane) % channels
            let y = v + bias.floatValues()[ch]
            return y < 0 ? y * slope.floatValues()[ch] : y
        }
        for threads in [1, 3] {
            for fused in [false, true] {
                let out = Tensor(zeros: .f32, shape: reference.shape)
                packed.withUnsafeBufferPointer { p in
                    PackedConvGemm.run(g: shape, x: input.pointer(Float.self), packed: p.baseAddress!, y: out.pointer(Float.self),
                                       epilogue: fused ? ConvEpilogue(bias: bias, slope: slope, slopeStride: 1) : nil,
                                       threads: threads, ctx: ExecutionContext(options: CompileOptions(threads: threads)))
                }
                Self.expectClose(out.floatValues(), fused ? fusedRef : ref, "threads \(threads) fused \(fused)")
            }
        }
    }

    /// 3-D geometries (NCDHW): c3d's two convolutions at reduced size (3x3x3 padded, then stride 2
    /// in all three dims), depth stride and dilation only, a 1x1x1 pointwise one (columns read in
    /// place), a 1x1x1 stride-2 one, asymmetric padding, grouped, a depth-1 kernel on a 1-deep
    /// input (a 2-D convolution written in 3-D), tiny planes (a 1-pixel and a 2-pixel output).
    static let geometries3D: [Geometry] = [
        Geometry(x: [1, 16, 4, 9, 10], w: [32, 16, 3, 3, 3], grouped: false, strides: [1, 1, 1], dilations: [1, 1, 1],
                 padsBegin: [1, 1, 1], padsEnd: [1, 1, 1]),
        Geometry(x: [1, 32, 4, 9, 10], w: [30, 32, 3, 3, 3], grouped: false, strides: [2, 2, 2], dilations: [1, 1, 1],
                 padsBegin: [1, 1, 1], padsEnd: [1, 1, 1]),
        Geometry(x: [2, 12, 7, 5, 6], w: [9, 12, 3, 2, 2], grouped: false, strides: [2, 1, 1], dilations: [2, 1, 1],
                 padsBegin: [2, 0, 1], padsEnd: [1, 1, 0]),
        Geometry(x: [1, 40, 3, 5, 6], w: [36, 40, 1, 1, 1], grouped: false, strides: [1, 1, 1], dilations: [1, 1, 1],
                 padsBegin: [0, 0, 0], padsEnd: [0, 0, 0]),
        Geometry(x: [1, 40, 5, 7, 6], w: [33, 40, 1, 1, 1], grouped: false, strides: [2, 2, 2], dilations: [1, 1, 1],
                 padsBegin: [0, 0, 0], padsEnd: [0, 0, 0]),
        Geometry(x: [1, 24, 5, 6, 7], w: [3, 5, 8, 2, 3, 3], grouped: true, strides: [1, 2, 1], dilations: [1, 1, 2],
                 padsBegin: [0, 1, 2], padsEnd: [1, 0, 2]),
        Geometry(x: [1, 20, 1, 8, 9], w: [26, 20, 1, 3, 3], grouped: false, strides: [1, 1, 1], dilations: [1, 1, 1],
                 padsBegin: [0, 1, 1], padsEnd: [0, 1, 1]),
        Geometry(x: [1, 30, 2, 3, 3], w: [17, 30, 2, 3, 3], grouped: false, strides: [1, 1, 1], dilations: [1, 1, 1],
                 padsBegin: [0, 0, 0], padsEnd: [0, 0, 0]),
        Geometry(x: [1, 30, 3, 3, 4], w: [17, 30, 3, 3, 3], grouped: false, strides: [1, 1, 1], dilations: [1, 1, 1],
                 padsBegin: [0, 0, 0], padsEnd: [0, 0, 0]),
    ]

    /// Seeded random 3-D geometries: batch 1-2, groups 1-2, 1-24 input and 1-13 output channels
    /// per group, kernels 1-3 per dim, stride 1-2, dilation 1-2, asymmetric padding 0-2, each dim
    /// 1-7 outputs larger than the smallest valid input.
    static let randomGeometries3D: [Geometry] = {
        var s: UInt64 = 0xD1B5_4A32_D192_ED03
        func r(_ n: Int) -> Int {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Int((s >> 33) % UInt64(n))
        }
        return (0..<24).map { i in
            let groups = [1, 1, 2][r(3)]
            let cin = 1 + r(24), cout = 1 + r(13)
            let k = (0..<3).map { _ in 1 + r(3) }, st = (0..<3).map { _ in 1 + r(2) }, d = (0..<3).map { _ in 1 + r(2) }
            let pb = (0..<3).map { _ in r(3) }, pe = (0..<3).map { _ in r(3) }
            let sp = (0..<3).map { a in Swift.max(1, (k[a] - 1) * d[a] + 1 - pb[a] - pe[a]) + r(7) }
            let batch = i % 6 == 0 ? 2 : 1
            let w = groups == 1 ? [cout, cin] + k : [groups, cout, cin] + k
            return Geometry(x: [batch, cin * groups] + sp, w: w, grouped: groups > 1,
                            strides: st, dilations: d, padsBegin: pb, padsEnd: pe)
        }
    }()

    /// Packing by K block and unpacking give the weights back exactly (one and several K blocks of
    /// unequal size, row counts not a multiple of 4, groups).
    @Test(arguments: [(1, 5, 7), (2, 13, 161), (1, 64, 2304), (3, 9, 700)])
    func unpackInvertsPack(_ groups: Int, _ m: Int, _ k: Int) {
        let w = random([groups * m * k], 41, 1).floatValues()
        var packed = [Float](repeating: .nan, count: PackedConvGemm.packedCount(groups: groups, m: m, k: k))
        var back = [Float](repeating: .nan, count: w.count)
        packed.withUnsafeMutableBufferPointer { p in
            PackedConvGemm.packWeights(w, groups: groups, m: m, k: k, into: p.baseAddress!)
            back.withUnsafeMutableBufferPointer { b in
                PackedConvGemm.unpackWeights(UnsafePointer(p.baseAddress!), groups: groups, m: m, k: k, into: b.baseAddress!)
            }
        }
        #expect(!packed.contains { $0.isNaN }, "packing left holes")
        #expect(back.map(\.bitPattern) == w.map(\.bitPattern))
    }

    /// Geometries for the panel edges: 14 x 14 and 7 x 7 planes (196 = 8·24 + 4 and 49 = 2·24 + 1
    /// columns: one 8-wide panel), `n mod 24` of 11 (two 8-wide panels) and 18 (a padded 24-wide
    /// panel), output channels leaving 0, 1 or 2 row panels after the 12 x 8 tiles and a partial row
    /// panel, K over several K blocks, stride 2 and groups.
    static let panelEdgeGeometries: [Geometry] = [
        Geometry(x: [1, 64, 14, 14], w: [50, 64, 3, 3], grouped: false, strides: [1, 1], dilations: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1]),
        Geometry(x: [1, 40, 7, 7], w: [24, 40, 3, 3], grouped: false, strides: [1, 1], dilations: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1]),
        Geometry(x: [2, 30, 5, 7], w: [20, 30, 3, 3], grouped: false, strides: [1, 1], dilations: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1]),
        Geometry(x: [1, 20, 6, 7], w: [13, 20, 2, 2], grouped: false, strides: [1, 1], dilations: [1, 1], padsBegin: [1, 0], padsEnd: [0, 1]),
        Geometry(x: [1, 24, 29, 27], w: [28, 24, 3, 3], grouped: false, strides: [2, 2], dilations: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1]),
        Geometry(x: [1, 48, 9, 9], w: [2, 14, 24, 3, 3], grouped: true, strides: [1, 1], dilations: [2, 1], padsBegin: [2, 1], padsEnd: [2, 1]),
        Geometry(x: [1, 200, 7, 7], w: [36, 200, 1, 1], grouped: false, strides: [1, 1], dilations: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0]),
        // small planes (9 and 2 output pixels: one 8-wide panel plus a remainder)
        Geometry(x: [1, 128, 3, 3], w: [128, 128, 1, 1], grouped: false, strides: [1, 1], dilations: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0]),
        Geometry(x: [1, 40, 2, 1], w: [33, 40, 1, 1], grouped: false, strides: [1, 1], dilations: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0]),
    ]

    /// Planes larger than one band of padded rows (``PackedConvGemm/bandBytes``): stride 1, stride
    /// 2 (four phases), dilation 2, a 5x7 kernel, two groups and two images.
    static let bandGeometries: [Geometry] = [
        Geometry(x: [1, 40, 60, 36], w: [8, 40, 3, 3], grouped: false, strides: [1, 1], dilations: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1]),
        Geometry(x: [1, 36, 61, 45], w: [6, 36, 3, 3], grouped: false, strides: [2, 2], dilations: [1, 1], padsBegin: [1, 1], padsEnd: [0, 1]),
        Geometry(x: [1, 32, 50, 40], w: [5, 32, 3, 3], grouped: false, strides: [1, 1], dilations: [2, 2], padsBegin: [2, 2], padsEnd: [2, 2]),
        Geometry(x: [1, 48, 47, 52], w: [4, 48, 5, 7], grouped: false, strides: [1, 2], dilations: [1, 1], padsBegin: [2, 3], padsEnd: [2, 3]),
        Geometry(x: [2, 128, 40, 30], w: [2, 3, 64, 3, 3], grouped: true, strides: [1, 1], dilations: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1]),
    ]

    @Test("large planes are filled in several bands", arguments: bandGeometries)
    func largePlanesTakeSeveralBands(_ c: Geometry) throws {
        var attrs = Attributes()
        for (key, v) in c.attrs { attrs[key] = v }
        let yShape = try CompiledModel(graph: Self.graph(c, weights: random(c.w, 1, 1)), options: CompileOptions(referenceKernelsOnly: true))
            .infer([random(c.x, 2, 1)])[0].shape
        let g = ConvShape(x: c.x, w: c.w, y: yShape, grouped: c.grouped, window: try SpatialWindow(attrs))
        let whole = PackedConvGemm.Layout(g, threads: 1, bandBytes: Int.max), banded = PackedConvGemm.Layout(g, threads: 1)
        #expect(whole.src.bandRows == whole.src.gridHeight)
        #expect(banded.src.bandRows < banded.src.gridHeight / 2, "band \(banded.src.bandRows) of \(banded.src.gridHeight) rows")
        #expect(banded.src.planeFloats < whole.src.planeFloats / 2)
        // Every column block's rows fit in a band, and the blocks' rows cover the grid.
        for cb in 0..<banded.colBlocks { #expect(banded.gridRows(cb..<(cb + 1)).count <= banded.src.bandRows) }
        #expect(banded.gridRows(0..<banded.colBlocks) == 0..<banded.src.gridHeight)
    }

    /// The kernel's arithmetic, whatever the tile and panel: each output is one chain of fused
    /// multiply-adds over K in increasing order from 0 (padding taps included as zeros), then
    /// `+ bias` and PReLU — compared bit for bit with that chain computed naively (so changing the
    /// blocking keeps outputs bit-identical), on 1 and 3 threads.
    @Test(arguments: panelEdgeGeometries + bandGeometries + Array(randomGeometries.prefix(16)) + geometries3D
                     + Array(randomGeometries3D.prefix(12)))
    func kernelIsOneFMAChainPerOutput(_ c: Geometry) throws {
        var attrs = Attributes()
        for (key, v) in c.attrs { attrs[key] = v }
        let window = try SpatialWindow(attrs)
        let yShape = try CompiledModel(graph: Self.graph(c, weights: random(c.w, 1, 1)), options: CompileOptions(referenceKernelsOnly: true))
            .infer([random(c.x, 2, 1)])[0].shape
        let g = ConvShape(x: c.x, w: c.w, y: yShape, grouped: c.grouped, window: window)
        let m = g.outPerGroup, k = g.inPerGroup * g.taps, n = g.outPixels, channels = g.groups * m
        let wt = random(c.w, 31, 1 / Float(k).squareRoot()), input = random(c.x, 32, 1)
        let bias = random([channels], 33, 1), slope = random([channels], 34, 0.5)
        let wv = wt.floatValues(), xv = input.floatValues(), bv = bias.floatValues(), sv = slope.floatValues()
        // The naive chain: acc = fma(w[co, t], x[t, pixel], acc) for t = (ci, kz, ki, kj) in order
        // (kz = 0 but in 3-D geometries).
        var plain = [Float](repeating: 0, count: g.batch * channels * n)
        for b in 0..<g.batch {
            for grp in 0..<g.groups {
                for co in 0..<m {
                    for oz in 0..<g.od {
                        for oy in 0..<g.oh {
                            for ox in 0..<g.ow {
                                var acc: Float = 0
                                for ci in 0..<g.inPerGroup {
                                    for kz in 0..<g.kd {
                                        for ki in 0..<g.kh {
                                            for kj in 0..<g.kw {
                                                let iz = oz * g.sd + kz * g.dd - g.pd
                                                let iy = oy * g.sh + ki * g.dh - g.ph, ix = ox * g.sw + kj * g.dw - g.pw
                                                let inside = iz >= 0 && iz < g.d && iy >= 0 && iy < g.h && ix >= 0 && ix < g.w
                                                let v: Float = inside
                                                    ? xv[((b * g.groups + grp) * g.inPerGroup + ci) * g.inPlane + (iz * g.h + iy) * g.w + ix] : 0
                                                let wi = ((grp * m + co) * g.inPerGroup + ci) * g.taps + (kz * g.kh + ki) * g.kw + kj
                                                acc = acc.addingProduct(wv[wi], v)
                                            }
                                        }
                                    }
                                }
                                plain[((b * g.groups + grp) * m + co) * n + (oz * g.oh + oy) * g.ow + ox] = acc
                            }
                        }
                    }
                }
            }
        }
        let fusedWant: [Float] = plain.enumerated().map { i, v in
            let ch = (i / n) % channels
            let y = v + bv[ch]
            return y < 0 ? y * sv[ch] : y
        }
        var packed = [Float](repeating: .nan, count: PackedConvGemm.packedCount(groups: g.groups, m: m, k: k))
        packed.withUnsafeMutableBufferPointer { p in
            PackedConvGemm.packWeights(wt.pointer(Float.self), groups: g.groups, m: m, k: k, into: p.baseAddress!)
        }
        // Padded rows in bands of the default size, of one column block (1 byte asked), and whole.
        for (threads, fused, band) in [(1, false, PackedConvGemm.bandBytes), (1, true, PackedConvGemm.bandBytes),
                                       (3, false, PackedConvGemm.bandBytes), (3, true, PackedConvGemm.bandBytes),
                                       (1, true, 1), (3, false, 1), (1, false, Int.max), (3, true, Int.max)] {
            let out = Tensor(zeros: .f32, shape: yShape)
            packed.withUnsafeBufferPointer { p in
                PackedConvGemm.run(g: g, x: input.pointer(Float.self), packed: p.baseAddress!, y: out.pointer(Float.self),
                                   epilogue: fused ? ConvEpilogue(bias: bias, slope: slope, slopeStride: 1) : nil,
                                   threads: threads, ctx: ExecutionContext(options: CompileOptions(threads: threads)), bandBytes: band)
            }
            let want = fused ? fusedWant : plain
            let differ = zip(out.floatValues(), want).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differ == 0, "threads \(threads) fused \(fused) band \(band): \(differ) of \(want.count) outputs differ from the FMA chain")
        }
    }

    /// Convolution nodes the fast GEMM kernel hands to the packed GEMM (K > 160, ≥ 16 output
    /// pixels): padding, stride 2, dilation, groups, odd sizes, batch 2, 1-D, deep 1x1 with tails.
    @Test(arguments: [
        Geometry(x: [1, 64, 30, 30], w: [24, 64, 3, 3], grouped: false, strides: [1, 1], dilations: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1]),
        Geometry(x: [2, 37, 19, 23], w: [13, 37, 3, 3], grouped: false, strides: [1, 1], dilations: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1]),
        Geometry(x: [1, 33, 25, 21], w: [10, 33, 3, 3], grouped: false, strides: [2, 2], dilations: [1, 1], padsBegin: [1, 0], padsEnd: [0, 1]),
        Geometry(x: [1, 24, 22, 26], w: [9, 24, 3, 3], grouped: false, strides: [1, 2], dilations: [2, 2], padsBegin: [2, 1], padsEnd: [2, 2]),
        Geometry(x: [2, 120, 11, 13], w: [3, 7, 40, 3, 3], grouped: true, strides: [1, 1], dilations: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1]),
        Geometry(x: [1, 200, 13, 11], w: [30, 200, 1, 1], grouped: false, strides: [1, 1], dilations: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0]),
        Geometry(x: [1, 170, 14, 14], w: [66, 170, 1, 1], grouped: false, strides: [2, 2], dilations: [1, 1], padsBegin: [0, 0], padsEnd: [0, 0]),
        Geometry(x: [1, 4, 45, 45], w: [16, 4, 7, 7], grouped: false, strides: [2, 2], dilations: [1, 1], padsBegin: [3, 3], padsEnd: [3, 3]),
        Geometry(x: [1, 96, 9, 9], w: [130, 96, 3, 3], grouped: false, strides: [1, 1], dilations: [1, 1], padsBegin: [1, 1], padsEnd: [1, 1]),
        Geometry(x: [1, 64, 50], w: [20, 64, 5], grouped: false, strides: [1], dilations: [1], padsBegin: [2], padsEnd: [2]),
    ])
    func claimedConvolutionMatchesReference(_ c: Geometry) throws {
        let fanIn = c.w.dropFirst(c.grouped ? 2 : 1).reduce(1, *)
        let wt = random(c.w, 15, 1 / Float(fanIn).squareRoot())
        let m = c.grouped ? c.w[1] : c.w[0], k = fanIn
        let outPixels = try CompiledModel(graph: Self.graph(c, weights: wt), options: CompileOptions(referenceKernelsOnly: true))
            .infer([random(c.x, 16, 1)])[0].shape.dropFirst(2).reduce(1, *)
        #expect(PackedConvGemm.claims(m: m, n: outPixels, k: k, pointwise: false), "not a packed-GEMM shape: m \(m) n \(outPixels) k \(k)")
        try FastKernelTests.differential(kernel: "blas.conv", inputs: [random(c.x, 16, 1)]) { g, p in
            g.op(c.grouped ? "GroupConvolution" : "Convolution", [p[0], g.constant(wt)], c.attrs, version: "opset1", name: "target")
        }
    }

    /// conv → Add(bias) → PReLU fused into the packed GEMM gives exactly the unfused chain's values
    /// (epilogue in registers for the 1x1 shape, on the grid copy for the 3x3 shapes).
    @Test(arguments: [
        ([1, 200, 13, 11], [30, 200, 1, 1], FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1")),
        ([2, 40, 17, 15], [22, 40, 3, 3], FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1")),
        ([1, 40, 17, 15], [19, 40, 3, 3], FastKernelTests.convAttrs("2,2", "1,1", dil: "1,1")),
    ])
    func fusedEqualsUnfusedBitForBit(_ x: [Int], _ w: [Int], _ attrs: [String: String]) throws {
        let graph = FastFusionTests.chain(x: x, w: random(w, 17, 1 / Float(w.dropFirst().reduce(1, *)).squareRoot()),
                                          grouped: false, attrs: attrs, bias: random([1, w[0], 1, 1], 18, 1), slope: random([w[0]], 19, 0.5))
        let input = random(x, 20, 1)
        let reference = try CompiledModel(graph: graph, options: CompileOptions(referenceKernelsOnly: true)).infer([input])[0].floatValues()
        for threads in [1, 3] {
            let fast = try CompiledModel(graph: graph, options: CompileOptions(threads: threads))
            #expect(fast.fusedConvolutions["conv"] == "Add+PReLU")
            let fused = try fast.infer([input])[0].floatValues()
            // Watching the convolution's output runs the chain unfused (same kernel, then Add, PReLU).
            let unfused = try fast.infer([input], observing: [fast.observable(node: "conv")!]) { _, _ in }[0].floatValues()
            #expect(fused == unfused, "threads \(threads): fused and unfused outputs differ")
            Self.expectClose(fused, reference, "threads \(threads) vs reference")
        }
    }

    /// Weights that change between runs: a weights Parameter (new tensors, and one changed in
    /// place) and weights computed in the graph (an arena tensor rewritten every run).
    @Test func weightsThatChangeBetweenRunsAreRepacked() throws {
        let xShape = [1, 40, 12, 12], wShape = [12, 40, 3, 3]
        let attrs = FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1")
        let g = GraphBuilder()
        let x = g.parameter("x", .f32, xShape), wp = g.parameter("w", .f32, wShape)
        g.result(g.op("Convolution", [x, wp], attrs, version: "opset1", name: "direct"))
        let scaled = g.op("Multiply", [wp, g.constant([0.5], shape: [1])], ["auto_broadcast": "numpy"], version: "opset1", name: "scale")
        g.result(g.op("Convolution", [x, scaled], attrs, version: "opset1", name: "computed"))
        let reference = try CompiledModel(graph: g.graph, options: CompileOptions(referenceKernelsOnly: true))
        let fast = try CompiledModel(graph: g.graph)
        #expect(fast.kernelNamesByNode["direct"] == "blas.conv")
        #expect(PackedConvGemm.claims(m: 12, n: 144, k: 360, pointwise: false))
        let input = random(xShape, 21, 1)
        var w = random(wShape, 22, 0.05)
        for round in 0..<3 {
            let want = try reference.infer([input, w]), got = try fast.infer([input, w])
            for (r, f) in zip(want, got) { Self.expectClose(f.floatValues(), r.floatValues(), "round \(round)") }
            if round == 0 {
                w = random(wShape, 23, 0.05)
            } else {
                try w.withUnsafeMutableBufferPointer(as: Float.self) { p in for i in p.indices { p[i] = -p[i] * 1.5 } }
            }
        }
    }

    /// Constant weights are packed when compiling, the packed copy replacing the constant, when the
    /// convolution is the constant's only reader: a FakeQuantize'd weight (folded into an owned f32
    /// copy, as in POT's INT8 IRs) and a plain Const; a Const read by two convolutions is not
    /// replaced (packed on the first run instead). Outputs are bit-identical to packing on the first
    /// run, with and without fusion, and an observer of a replaced constant sees the weights.
    @Test func constantWeightsArePackedWhenCompiling() throws {
        let xShape = [1, 40, 12, 12], wShape = [24, 40, 3, 3]
        let attrs = FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1")
        let g = GraphBuilder()
        let x = g.parameter("x", .f32, xShape)
        let fq = g.op("FakeQuantize", [g.constant(random(wShape, 24, 0.1)), g.constant([-0.12], shape: [1]), g.constant([0.12], shape: [1]),
                                       g.constant([-0.12], shape: [1]), g.constant([0.12], shape: [1])],
                      ["levels": "255", "auto_broadcast": "numpy"], version: "opset1", name: "wfq")
        let c1 = g.op("Convolution", [x, fq], attrs, version: "opset1", name: "quantized")
        let a1 = g.op("Add", [c1, g.constant(random([1, 24, 1, 1], 25, 0.5))], ["auto_broadcast": "numpy"], version: "opset1", name: "bias")
        let c2 = g.op("Convolution", [a1, g.constant(random([24, 24, 3, 3], 26, 0.1))], attrs, version: "opset1", name: "plain")
        let shared = g.constant(random([24, 24, 3, 3], 27, 0.1))
        let c3 = g.op("Convolution", [c2, shared], attrs, version: "opset1", name: "shared1")
        g.result(g.op("Convolution", [c3, shared], attrs, version: "opset1", name: "shared2"))
        let input = random(xShape, 28, 1)
        let reference = try CompiledModel(graph: g.graph, options: CompileOptions(referenceKernelsOnly: true)).infer([input])[0]
        var late = CompileOptions()
        late.prepackWeights = false
        let runtimePacked = try CompiledModel(graph: g.graph, options: late)
        #expect(runtimePacked.prepackedConvolutions.isEmpty)
        let want = try runtimePacked.infer([input])[0].floatValues()
        Self.expectClose(want, reference.floatValues(), "packed on the first run vs reference")
        let weights = try runtimePacked.observable(node: "wfq").map { o in
            var seen: [Float] = []
            _ = try runtimePacked.infer([input], observing: [o]) { _, t in seen = t.floatValues() }
            return seen
        }
        #expect(weights?.count == wShape.reduce(1, *))
        for threads in [1, 3] {
            var options = CompileOptions(threads: threads)
            let fast = try CompiledModel(graph: g.graph, options: options)
            #expect(fast.prepackedConvolutions == ["quantized", "plain"])
            #expect(fast.kernelNamesByNode["quantized"] == "blas.conv")
            for run in 0..<2 { #expect(try fast.infer([input])[0].floatValues() == want, "threads \(threads) run \(run)") }
            // Observing the folded weights: the observer gets them unpacked; the run is unchanged.
            var seen: [Float] = []
            let got = try fast.infer([input], observing: [fast.observable(node: "wfq")!]) { _, t in seen = t.floatValues() }
            #expect(got[0].floatValues() == want)
            #expect(seen == weights)
            // Unfused runs (observing a convolution's output, as POT's statistics do) read the packed copy too.
            let unfused = try fast.infer([input], observing: [fast.observable(node: "quantized")!]) { _, _ in }
            #expect(unfused[0].floatValues() == want)
            options.fuseConvolutions = false
            #expect(try CompiledModel(graph: g.graph, options: options).infer([input])[0].floatValues() == want)
        }
    }

    /// OpenBLAS is opened only for convolutions that call it: the packed GEMM's shapes (including
    /// face_landmark's 1x1 convolutions over 3x3 planes: 9 columns), SmallGemm's and single-pixel
    /// outputs (SIMD dot products) do not; a small plane with few channels and a short K does.
    @Test func convolutionsThatCallOpenBLAS() throws {
        func shape(_ x: [Int], _ w: [Int], _ y: [Int], stride: Int = 1, pad: Int = 0) throws -> ConvShape {
            var attrs = Attributes()
            for (k, v) in FastKernelTests.convAttrs("\(stride),\(stride)", "\(pad),\(pad)", dil: "1,1") { attrs[k] = v }
            return ConvShape(x: x, w: w, y: y, grouped: false, window: try SpatialWindow(attrs))
        }
        #expect(!GemmConvolutionKernel.callsOpenBLAS(try shape([1, 128, 3, 3], [128, 128, 1, 1], [1, 128, 3, 3])))
        #expect(!GemmConvolutionKernel.callsOpenBLAS(try shape([1, 128, 3, 3], [32, 128, 1, 1], [1, 32, 3, 3])))
        #expect(GemmConvolutionKernel.callsOpenBLAS(try shape([1, 16, 3, 3], [16, 16, 1, 1], [1, 16, 3, 3])))
        #expect(!GemmConvolutionKernel.callsOpenBLAS(try shape([1, 32, 3, 3], [1404, 32, 3, 3], [1, 1404, 1, 1])))
        #expect(!GemmConvolutionKernel.callsOpenBLAS(try shape([1, 64, 56, 56], [64, 64, 3, 3], [1, 64, 56, 56], pad: 1)))
        #expect(!GemmConvolutionKernel.callsOpenBLAS(try shape([1, 16, 96, 96], [16, 16, 1, 1], [1, 16, 96, 96])))
        #expect(!GemmConvolutionKernel.callsOpenBLAS(try shape([1, 3, 192, 192], [16, 3, 3, 3], [1, 16, 96, 96], stride: 2, pad: 1)))
    }
}
