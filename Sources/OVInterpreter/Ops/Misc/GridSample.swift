#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// GridSample-9: samples `data [N, C, H, W]` at the normalised (x, y) positions of
/// `grid [N, Ho, Wo, 2]`, giving `[N, C, Ho, Wo]`. Positions in [-1, 1] map to pixel centres
/// (`align_corners=false`: `((v + 1)·size - 1) / 2`) or to the corner pixels (`(v + 1)·(size - 1) / 2`).
/// `mode` bilinear, nearest (round half to even) or bicubic (A = -0.75); pixels outside the image
/// read as zero, the nearest border pixel, or their reflection (`padding_mode`), pixel by pixel.
final class GridSampleKernel: Kernel {
    enum Mode: String { case bilinear, nearest, bicubic }
    enum Padding: String { case zeros, border, reflection }
    let alignCorners: Bool
    let mode: Mode
    let padding: Padding

    init(node: Node) throws {
        let a = node.attributes
        alignCorners = try a.bool("align_corners", default: false)
        mode = Mode(rawValue: try a.choice("mode", ["bilinear", "nearest", "bicubic"], default: "bilinear"))!
        padding = Padding(rawValue: try a.choice("padding_mode", ["zeros", "border", "reflection"], default: "zeros"))!
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 2 else { throw OVIRError("GridSample expects 2 inputs (data, grid), found \(inputs.count)") }
        guard inputs[0].elementType == .f32, inputs[1].elementType.isFloatingPoint else {
            throw OVIRError("GridSample: expected f32 data and a floating-point grid, found \(inputs[0].elementType.rawValue) and \(inputs[1].elementType.rawValue)")
        }
        let d = inputs[0].shape, g = inputs[1].shape
        if let r = d.rank, r != 4 { throw OVIRError("GridSample data: expected rank 4, found \(d)") }
        if let r = g.rank, r != 4 { throw OVIRError("GridSample grid: expected rank 4, found \(g)") }
        if let last = g.dims?.last?.staticValue, last != 2 { throw OVIRError("GridSample grid: expected a last dim of 2, found \(g)") }
        let dd = d.dims ?? Array(repeating: .dynamic, count: 4), gd = g.dims ?? Array(repeating: .dynamic, count: 4)
        return [ValueInfo(.f32, PartialShape([dd[0].isStatic ? dd[0] : gd[0], dd[1], gd[1], gd[2]]))]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let ds = inputs[0].shape, gs = inputs[1].shape
        guard ds[0] == gs[0] else { throw OVIRError("GridSample: data batch \(ds[0]) differs from grid batch \(gs[0])") }
        let (n, c, h, w) = (ds[0], ds[1], ds[2], ds[3]), (ho, wo) = (gs[1], gs[2])
        let data = inputs[0].pointer(Float.self), out = outputs[0].pointer(Float.self)
        let grid = inputs[1].floatValues()
        func denorm(_ v: Float, _ size: Int) -> Float {
            alignCorners ? (v + 1) * Float(size - 1) / 2 : ((v + 1) * Float(size) - 1) / 2
        }
        for b in 0..<n {
            for ch in 0..<c {
                let plane = data + (b * c + ch) * h * w
                func pixel(_ y: Int, _ x: Int) -> Float {
                    guard let (yy, xx) = padded(y, x, h, w) else { return 0 }
                    return plane[yy * w + xx]
                }
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        let gi = ((b * ho + oy) * wo + ox) * 2
                        let x = denorm(grid[gi], w), y = denorm(grid[gi + 1], h)
                        out[((b * c + ch) * ho + oy) * wo + ox] = sample(y, x, pixel)
                    }
                }
            }
        }
    }

    private func sample(_ y: Float, _ x: Float, _ pixel: (Int, Int) -> Float) -> Float {
        switch mode {
        case .nearest:
            return pixel(Int(y.rounded(.toNearestOrEven)), Int(x.rounded(.toNearestOrEven)))
        case .bilinear:
            let y0 = y.rounded(.down), x0 = x.rounded(.down), dy = y - y0, dx = x - x0
            let (iy, ix) = (Int(y0), Int(x0))
            let q0 = (1 - dx) * pixel(iy, ix) + dx * pixel(iy, ix + 1)
            let q1 = (1 - dx) * pixel(iy + 1, ix) + dx * pixel(iy + 1, ix + 1)
            return dy * q1 + (1 - dy) * q0
        case .bicubic:
            let y0 = y.rounded(.down), x0 = x.rounded(.down)
            let cy = Self.cubic(y - y0), cx = Self.cubic(x - x0)
            var acc: Float = 0
            for j in 0..<4 {
                var row: Float = 0
                for i in 0..<4 { row += cx[i] * pixel(Int(y0) - 1 + j, Int(x0) - 1 + i) }
                acc += cy[j] * row
            }
            return acc
        }
    }

    /// Keys cubic convolution weights for taps at -1, 0, 1, 2 around fraction `t` (A = -0.75).
    static func cubic(_ t: Float) -> [Float] {
        let a: Float = -0.75
        func near(_ d: Float) -> Float { ((a + 2) * d - (a + 3)) * d * d + 1 }
        func far(_ d: Float) -> Float { ((a * d - 5 * a) * d + 8 * a) * d - 4 * a }
        return [far(t + 1), near(t), near(1 - t), far(2 - t)]
    }

    /// The pixel read for (y, x) under the padding mode; nil for a zero.
    private func padded(_ y: Int, _ x: Int, _ h: Int, _ w: Int) -> (Int, Int)? {
        switch padding {
        case .zeros:
            return y < 0 || x < 0 || y >= h || x >= w ? nil : (y, x)
        case .border:
            return (Swift.min(Swift.max(y, 0), h - 1), Swift.min(Swift.max(x, 0), w - 1))
        case .reflection:
            return (reflect(y, h), reflect(x, w))
        }
    }

    private func reflect(_ v: Int, _ size: Int) -> Int {
        if alignCorners {
            // Mirror about the first and last pixel centres: period 2·(size-1).
            let period = size == 1 ? 1 : 2 * (size - 1)
            let m = Swift.abs(v) % period
            return m >= size ? period - m : m
        }
        // Mirror about the image edges: period 2·size.
        let period = 2 * size
        let m = ((v % period) + period) % period
        return m >= size ? period - 1 - m : m
    }
}
