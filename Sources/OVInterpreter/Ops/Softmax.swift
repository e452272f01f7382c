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

/// Softmax ops: Softmax-1 (IR type `Softmax`), Softmax-8 (IR type `SoftMax`, as OpenVINO writes it)
/// and LogSoftmax-5.
enum SoftmaxOps {
    static let definitions: [OpDefinition] = [
        OpDefinition("Softmax", 1) { node in try SoftmaxKernel(node, log: false, negativeAxis: false) },
        OpDefinition("Softmax", 8) { node in try SoftmaxKernel(node, log: false, negativeAxis: true) },
        OpDefinition("SoftMax", 1) { node in try SoftmaxKernel(node, log: false, negativeAxis: false) },
        OpDefinition("SoftMax", 8) { node in try SoftmaxKernel(node, log: false, negativeAxis: true) },
        OpDefinition("LogSoftmax", 5) { node in try SoftmaxKernel(node, log: true, negativeAxis: true) },
    ]
}

/// Softmax-1, Softmax-8 and LogSoftmax-5 along `axis` (default 1; negative from Softmax-8 on):
/// `softmax(x)_i = exp(x_i - max x) / Σ_j exp(x_j - max x)`,
/// `logsoftmax(x)_i = x_i - max x - log Σ_j exp(x_j - max x)`. Computed in f32.
final class SoftmaxKernel: Kernel {
    let axis: Int
    let log: Bool
    let opName: String

    init(_ node: Node, log: Bool, negativeAxis: Bool) throws {
        axis = try node.attributes.int("axis", default: 1)
        self.log = log
        opName = log ? "LogSoftmax" : "Softmax"
        if axis < 0 && !negativeAxis {
            throw OVIRError("\(node.type)-1: attribute 'axis' must be non-negative, found \(axis)")
        }
    }

    func infer(_ inputs: [ValueInfo]) throws -> [ValueInfo] {
        guard inputs.count == 1 else { throw OVIRError("\(opName) takes 1 input, found \(inputs.count)") }
        try requireFloat(inputs[0].elementType, opName)
        if let r = inputs[0].shape.dims?.count { _ = try normalizeAxes([axis], rank: r, opName) }
        return [ValueInfo(inputs[0].elementType, inputs[0].shape)]
    }

    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext) throws {
        let x = inputs[0]
        let ax = try normalizeAxes([axis], rank: x.rank, opName)[0]
        let n = x.rank == 0 ? 1 : x.shape[ax]
        let outer = x.rank == 0 ? 1 : x.shape[..<ax].reduce(1, *)
        let inner = x.rank == 0 ? 1 : x.shape[(ax + 1)...].reduce(1, *)
        let log = self.log
        withF32(x) { xp in
            writeF32(&outputs[0]) { yp in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let base = o * n * inner + i
                        var m = -Float.infinity
                        for k in 0..<n { m = Swift.max(m, xp[base + k * inner]) }
                        var sum: Float = 0
                        for k in 0..<n {
                            let e = LibM.exp(xp[base + k * inner] - m)
                            if !log { yp[base + k * inner] = e }
                            sum += e
                        }
                        if log {
                            let l = LibM.log(sum)
                            for k in 0..<n { yp[base + k * inner] = xp[base + k * inner] - m - l }
                        } else {
                            for k in 0..<n { yp[base + k * inner] /= sum }
                        }
                    }
                }
            }
        }
    }
}
