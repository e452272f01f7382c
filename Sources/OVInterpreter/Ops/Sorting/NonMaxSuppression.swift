#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// NonMaxSuppression-5 / NonMaxSuppression-9: per batch and class, repeatedly selects the
/// highest-scoring box whose score reaches `score_threshold`, and scales the other boxes' scores by
/// `func(IoU)` (0 above `iou_threshold`; with `soft_nms_sigma > 0`, `exp(-0.5 * iou² / sigma)`).
/// Outputs selected `[batch, class, box]` triples, `[batch, class, score]` and their count.
final class NonMaxSuppressionKernel: Kernel {
    let centerEncoding: Bool
    let sortDescending: Bool
    let outputType: ElementType
    var allocatesOutputs: Bool { true }

    init(_ a: Attributes) throws {
        centerEncoding = try a.choice("box_encoding", ["corner", "center"], default: "corner") == "center"
        sortDescending = try a.bool("sort_result_descending", default: true)
        outputType = try Movement.indexType(a, "output_type")
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard (2...6).contains(inputs.count) else {
            throw OVIRError("NonMaxSuppression expects 2 to 6 inputs (boxes, scores[, max_output_boxes_per_class, iou_threshold, score_threshold, soft_nms_sigma]), found \(inputs.count)")
        }
        guard inputs[0].elementType.isFloatingPoint, inputs[1].elementType == inputs[0].elementType else {
            throw OVIRError("NonMaxSuppression: boxes and scores must share a floating-point type, found \(inputs[0].elementType.rawValue) and \(inputs[1].elementType.rawValue)")
        }
        let m = PartialShape([.dynamic, .fixed(3)])
        return [ValueInfo(outputType, m), ValueInfo(inputs[0].elementType, m), ValueInfo(outputType, [1])]
    }

    /// The box at element offset `o` as (ymin, xmin, ymax, xmax).
    func corners(_ b: [Float], _ o: Int) -> (Float, Float, Float, Float) {
        let (a, c, d, e) = (b[o], b[o + 1], b[o + 2], b[o + 3])
        if centerEncoding {
            // [x_center, y_center, width, height]
            return (c - e / 2, a - d / 2, c + e / 2, a + d / 2)
        }
        return (Swift.min(a, d), Swift.min(c, e), Swift.max(a, d), Swift.max(c, e))
    }

    static func iou(_ a: (Float, Float, Float, Float), _ b: (Float, Float, Float, Float)) -> Float {
        let areaA = (a.2 - a.0) * (a.3 - a.1), areaB = (b.2 - b.0) * (b.3 - b.1)
        if areaA <= 0 || areaB <= 0 { return 0 }
        let h = Swift.max(Swift.min(a.2, b.2) - Swift.max(a.0, b.0), 0)
        let w = Swift.max(Swift.min(a.3, b.3) - Swift.max(a.1, b.1), 0)
        let inter = h * w
        return inter / (areaA + areaB - inter)
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let boxes = inputs[0], scores = inputs[1]
        guard boxes.rank == 3, boxes.shape[2] == 4, scores.rank == 3, scores.shape[0] == boxes.shape[0], scores.shape[2] == boxes.shape[1] else {
            throw OVIRError("NonMaxSuppression: boxes \(boxes.shape) and scores \(scores.shape) should be [B, N, 4] and [B, C, N]")
        }
        let maxOut = inputs.count > 2 && inputs[2].count > 0 ? Int(inputs[2].int64Value(at: 0)) : 0
        let iouThr = inputs.count > 3 && inputs[3].count > 0 ? Float(inputs[3].doubleValue(at: 0)) : 0
        let scoreThr = inputs.count > 4 && inputs[4].count > 0 ? Float(inputs[4].doubleValue(at: 0)) : 0
        let sigma = inputs.count > 5 && inputs[5].count > 0 ? Float(inputs[5].doubleValue(at: 0)) : 0
        let (nb, nc, n) = (scores.shape[0], scores.shape[1], scores.shape[2])
        let b = boxes.floatValues(), s = scores.floatValues()
        var selected: [(batch: Int, cls: Int, box: Int, score: Float)] = []
        var current = [Float](repeating: 0, count: n)
        var alive = [Bool](repeating: false, count: n)
        let limit = Swift.min(maxOut, n)
        for bi in 0..<nb {
            let boxAt = (0..<n).map { corners(b, (bi * n + $0) * 4) }
            for ci in 0..<nc where limit > 0 {
                for i in 0..<n { current[i] = s[(bi * nc + ci) * n + i]; alive[i] = true }
                var picked = 0
                while picked < limit {
                    var best = -1
                    for i in 0..<n where alive[i] && (best < 0 || current[i] > current[best]) { best = i }
                    guard best >= 0, current[best] >= scoreThr else { break }
                    alive[best] = false
                    selected.append((bi, ci, best, current[best]))
                    picked += 1
                    for i in 0..<n where alive[i] {
                        let v = NonMaxSuppressionKernel.iou(boxAt[best], boxAt[i])
                        if v > iouThr { alive[i] = false; continue }
                        if sigma > 0 { current[i] *= Float(exp(-0.5 * Double(v) * Double(v) / Double(sigma))) }
                    }
                }
            }
        }
        if sortDescending {
            selected = selected.enumerated().sorted { x, y in
                x.element.score != y.element.score ? x.element.score > y.element.score : x.offset < y.offset
            }.map(\.element)
        }
        let m = selected.count
        outputs.append(Movement.intTensor(selected.flatMap { [$0.batch, $0.cls, $0.box] }, outputType, shape: [m, 3]))
        outputs.append(Tensor(doubles: selected.flatMap { [Double($0.batch), Double($0.cls), Double($0.score)] }, as: boxes.elementType, shape: [m, 3]))
        outputs.append(Movement.intTensor([m], outputType, shape: [1]))
    }
}
