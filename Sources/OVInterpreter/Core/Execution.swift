import Foundation

/// One node of the plan: its kernel, where its inputs and outputs live, and its output shapes when
/// they are known at compile time.
struct Step {
    let node: Node
    let kernel: any Kernel
    let inputSlots: [Int]
    let outputSlots: [Int]
    /// Output types and shapes fixed at compile time; nil when they depend on run-time inputs.
    let staticInfos: [ValueInfo]?

    /// Allocates outputs (from `pool` when given) and runs `kernel`.
    static func execute(kernel: any Kernel, node: Node, inputs: [Tensor], staticInfos: [ValueInfo]?,
                        ctx: ExecutionContext, pool: BufferPool?) throws -> [Tensor] {
        do {
            if kernel.allocatesOutputs {
                var outs: [Tensor] = []
                try kernel.run(inputs, &outs, ctx)
                return outs
            }
            let infos: [ValueInfo]
            if let staticInfos {
                infos = staticInfos
            } else {
                infos = try kernel.infer(inputs.map { ValueInfo($0) })
                if infos.allSatisfy({ $0.value != nil }) { return infos.map { $0.value! } }
            }
            var outs: [Tensor] = []
            outs.reserveCapacity(infos.count)
            for info in infos {
                guard let shape = info.shape.staticShape else {
                    throw OVIRError("output shape \(info.shape) could not be resolved from the inputs \(inputs.map(\.shape))")
                }
                if let pool {
                    outs.append(pool.take(info.elementType, shape))
                } else {
                    outs.append(Tensor(zeros: info.elementType, shape: shape))
                }
            }
            try kernel.run(inputs, &outs, ctx)
            return outs
        } catch let e as OVIRError {
            throw e.location == nil ? OVIRError(file: e.file, location: node.label, e.message) : e
        }
    }
}

/// Free buffers by byte size, reused for the next tensors of the same size.
final class BufferPool {
    private var free: [Int: [TensorBuffer]] = [:]

    func take(_ type: ElementType, _ shape: [Int]) -> Tensor {
        let bytes = type.byteCount(for: shape.reduce(1, *))
        if var list = free[bytes], let b = list.popLast() {
            free[bytes] = list
            // Packed sub-byte kernels or-in bits: give them zeroed memory.
            if type.bitWidth < 8 { b.bytes.initializeMemory(as: UInt8.self, repeating: 0, count: bytes) }
            return Tensor(elementType: type, shape: shape, buffer: b)
        }
        return type.bitWidth < 8 ? Tensor(zeros: type, shape: shape) : Tensor(uninitialized: type, shape: shape)
    }

    /// Returns a tensor's buffer to the pool when nothing else holds it.
    func give(_ tensor: inout Tensor?) {
        guard var t = tensor else { return }
        tensor = nil
        if t.hasUniqueOwnedBuffer() {
            free[t.buffer.byteCount, default: []].append(t.buffer)
        }
    }
}


extension CompiledModel {
    /// Runs the plan. The caller holds `lock`.
    func execute(_ values: [Tensor], observing: [ObservedOutput], observer: ((Int, Tensor) throws -> Void)?) throws -> [Tensor] {
        let ctx = runContext
        var slots = [Tensor?](repeating: nil, count: slotCount)
        for (s, t) in constants { slots[s] = t }
        for (k, s) in parameterSlots.enumerated() { slots[s] = values[k] }
        var watchers: [Int: [Int]] = [:]
        for (k, o) in observing.enumerated() { watchers[o.slot, default: []].append(k) }
        if let observer {
            for (slot, ks) in watchers where slots[slot] != nil {
                for k in ks { try observer(k, slots[slot]!) }
            }
        }
        let trace = options.trace
        for (i, step) in steps.enumerated() {
            let ins = step.inputSlots.map { slots[$0]! }
            let start = trace ? DispatchTime.now().uptimeNanoseconds : 0
            let outs = try Step.execute(kernel: step.kernel, node: step.node, inputs: ins,
                                        staticInfos: step.staticInfos, ctx: ctx, pool: pool)
            if trace {
                let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                let line = "[trace] \(step.node.name) \(step.node.type) in=\(ins.map { "\($0.elementType.rawValue)\($0.shape)" }.joined(separator: ",")) out=\(outs.map { "\($0.elementType.rawValue)\($0.shape)" }.joined(separator: ",")) kernel=\(step.kernel.kernelName) \(String(format: "%.3f", ms)) ms\n"
                FileHandle.standardError.write(Data(line.utf8))
            }
            for (k, s) in step.outputSlots.enumerated() {
                slots[s] = outs[k]
                if let observer, let ks = watchers[s] { for w in ks { try observer(w, outs[k]) } }
            }
            for s in step.inputSlots where lastUse[s] == i && constants[s] == nil {
                pool.give(&slots[s])
            }
            for s in step.outputSlots where lastUse[s] < 0 && constants[s] == nil {
                pool.give(&slots[s])   // produced but never read (e.g. an unused second output)
            }
        }
        return resultSlots.map { slots[$0]! }
    }
}
