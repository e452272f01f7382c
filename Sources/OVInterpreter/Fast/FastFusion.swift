/// Convolution + bias Add (+ PReLU) fused into the convolution's output pass.
///
/// MediaPipe-style models follow every Convolution / GroupConvolution by an Add of a per-channel
/// constant bias and often a PReLU with a per-channel (or scalar) constant slope. Run separately
/// each of those is one more pass over the tensor, one more buffer and one more step. When compiling,
/// ``CompiledModel`` records such chains (``ConvFusion.find``); at run time the convolution applies
/// `y = y + bias[c]` and then `y < 0 ? y · slope[c] : y` to each value before storing it, and the
/// Add and PReLU steps are skipped. The expressions are the reference's (Add: `a + b`, PReLU:
/// `x < 0 ? x · slope : x`) on the same rounded convolution output, so results are bit-identical.
///
/// Observers must still see every node's output (POT collects statistics on intermediate tensors):
/// a run whose observers watch the convolution's or the Add's output executes the chain unfused.
struct ConvEpilogue {
    /// Per output channel.
    let bias: Tensor
    /// Per output channel, or one value for all (`slopeStride` 0).
    let slope: Tensor?
    let slopeStride: Int

    /// `y[0..<count] = prelu(y + bias[c])` for channel `c`.
    @inline(__always)
    func apply(_ y: UnsafeMutablePointer<Float>, count: Int, channel c: Int) {
        let b = bias.pointer(Float.self)[c]
        guard let slope else {
            for i in 0..<count { y[i] = y[i] + b }
            return
        }
        let s = slope.pointer(Float.self)[c * slopeStride]
        for i in 0..<count {
            let v = y[i] + b
            y[i] = v < 0 ? v * s : v
        }
    }
}

/// A convolution kernel that can apply a ``ConvEpilogue`` as it writes its output.
protocol EpilogueConvolution: Kernel {
    func run(_ inputs: [Tensor], _ outputs: inout [Tensor], _ ctx: ExecutionContext, epilogue: ConvEpilogue?) throws
}

/// A Convolution step followed by the steps it absorbs (Add, then optionally PReLU).
struct ConvFusion {
    /// Steps after the convolution that a fused run skips (1 or 2).
    let absorbed: Int
    /// Slots a fused run never produces (the convolution's output, and the Add's when PReLU follows).
    let hiddenSlots: [Int]
    /// Where the fused result goes (the last absorbed step's output) and its type and shape.
    let outputSlot: Int
    let outputInfo: ValueInfo
    let epilogue: ConvEpilogue
    /// The absorbed ops, for traces (`Add+PReLU`).
    let label: String

    /// Finds the chain starting at `steps[i]`: an f32 convolution with a fast kernel whose only
    /// reader is the next step, an Add of a constant `[1, C, 1, …]` bias (either input), whose only
    /// reader may be a PReLU with a constant per-channel or single slope.
    static func find(at i: Int, steps: [Step], constants: [Int: Tensor], lastUse: [Int]) -> ConvFusion? {
        let conv = steps[i]
        guard conv.kernel is EpilogueConvolution, i + 1 < steps.count, conv.outputSlots.count == 1,
              let out = conv.staticInfos?.first, out.elementType == .f32, let shape = out.shape.staticShape,
              shape.count >= 3 else { return nil }
        let c = shape[1], s = conv.outputSlots[0]
        let add = steps[i + 1]
        guard add.node.type == "Add", add.kernel is SIMDBinaryKernel, lastUse[s] == i + 1,
              add.inputSlots.filter({ $0 == s }).count == 1, add.outputSlots.count == 1,
              let other = add.inputSlots.first(where: { $0 != s }), let bias = constants[other],
              bias.elementType == .f32, bias.count == c, bias.shape.count <= shape.count,
              let addOut = add.staticInfos?.first, addOut.shape.staticShape == shape else { return nil }
        // The bias must broadcast along the channel axis only.
        let padded = Array(repeating: 1, count: shape.count - bias.shape.count) + bias.shape
        guard padded[1] == c, padded.enumerated().allSatisfy({ $0.offset == 1 || $0.element == 1 }) else { return nil }
        let s2 = add.outputSlots[0]
        if i + 2 < steps.count {
            let prelu = steps[i + 2]
            if prelu.node.type == "PReLU", prelu.kernel is SIMDPReLUKernel, prelu.inputSlots.count == 2,
               prelu.inputSlots[0] == s2, prelu.inputSlots[1] != s2, lastUse[s2] == i + 2,
               let slope = constants[prelu.inputSlots[1]], slope.elementType == .f32,
               let pOut = prelu.staticInfos?.first, pOut.shape.staticShape == shape {
                let perChannel: Bool
                if slope.count == 1 {
                    perChannel = false
                } else if PReLUKernel.channelAxis(shape, slope.shape) == 1 {
                    perChannel = true
                } else {
                    let sp = Array(repeating: 1, count: Swift.max(0, shape.count - slope.shape.count)) + slope.shape
                    perChannel = slope.count == c && sp.count == shape.count && sp[1] == c
                        && sp.enumerated().allSatisfy { $0.offset == 1 || $0.element == 1 }
                }
                if slope.count == 1 || perChannel {
                    return ConvFusion(absorbed: 2, hiddenSlots: [s, s2], outputSlot: prelu.outputSlots[0], outputInfo: pOut,
                                      epilogue: ConvEpilogue(bias: bias, slope: slope, slopeStride: perChannel ? 1 : 0),
                                      label: "Add+PReLU")
                }
            }
        }
        return ConvFusion(absorbed: 1, hiddenSlots: [s], outputSlot: s2, outputInfo: addOut,
                          epilogue: ConvEpilogue(bias: bias, slope: nil, slopeStride: 0), label: "Add")
    }
}
