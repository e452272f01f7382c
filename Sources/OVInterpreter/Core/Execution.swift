#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch

/// One node of the plan: its kernel, where its inputs and outputs live, and its output shapes when
/// they are known at compile time.
struct Step {
    let node: Node
    let kernel: any Kernel
    let inputSlots: [Int]
    let outputSlots: [Int]
    /// Output types and shapes fixed at compile time; nil when they depend on run-time inputs.
    let staticInfos: [ValueInfo]?
    /// Developer-only bf16 emulation (empty unless `CompileOptions.bf16Emulation` is on).
    var bf16 = BF16StepRounding()

    /// Allocates outputs (zero-filled when `zeroed`, else uninitialised except for packed
    /// sub-byte types) and runs `kernel`. Used for constant folding and for steps whose outputs are
    /// not in the activation arena.
    static func execute(kernel: any Kernel, node: Node, inputs: [Tensor], staticInfos: [ValueInfo]?,
                        ctx: ExecutionContext, zeroed: Bool) throws -> [Tensor] {
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
                // Packed sub-byte kernels or-in bits: give them zeroed memory.
                outs.append(zeroed || info.elementType.bitWidth < 8 ? Tensor(zeros: info.elementType, shape: shape)
                                                                   : Tensor(uninitialized: info.elementType, shape: shape))
            }
            try kernel.run(inputs, &outs, ctx)
            return outs
        } catch let e as OVIRError {
            throw e.location == nil ? OVIRError(file: e.file, location: node.label, e.message) : e
        }
    }
}

extension CompiledModel {
    /// Runs the plan. The caller holds `lock`.
    ///
    /// Planned outputs are written into their arena regions through view buffers that are reused
    /// across runs. When a planned tensor dies, its view goes back to `arenaViews` if nothing else
    /// holds it; if something does (an observer kept the tensor, or a kernel returned an input as
    /// an output), the view is first detached — its bytes copied to owned memory — so the region
    /// can be reused without changing a value someone still holds.
    func execute(_ values: [Tensor], observing: [ObservedOutput], bf16ModelOutputs: Set<ObservedOutput>,
                 observer: ((Int, Tensor) throws -> Void)?) throws -> [Tensor] {
        let ctx = runContext
        if arena == nil && plan.arenaBytes > 0 {
            arena = UnsafeMutableRawPointer.allocate(byteCount: plan.arenaBytes, alignment: ActivationPlan.alignment)
        }
        if arenaViews.count != slotCount { arenaViews = Array(repeating: nil, count: slotCount) }
        var slots = [Tensor?](repeating: nil, count: slotCount)
        for (s, t) in constants { slots[s] = t }
        for (k, s) in parameterSlots.enumerated() { slots[s] = values[k] }
        var watchers: [Int: [Int]] = [:]
        for (k, o) in observing.enumerated() { watchers[o.slot, default: []].append(k) }
        // On an error, planned tensors still live are released like dead ones (detached if held).
        var completed = false
        defer {
            if !completed { for s in 0..<slotCount where plan.offsets[s] >= 0 { release(&slots[s], slot: s) } }
        }
        if let observer {
            for (slot, ks) in watchers where slots[slot] != nil {
                let value = prepacked[slot]?.unpackedWeights(shape: slots[slot]!.shape) ?? slots[slot]!
                for k in ks { try observer(k, value) }
            }
        }
        let trace = options.trace
        var ins: [Tensor] = [], outs: [Tensor] = []
        var bf16Plan: [BF16StepRounding]? = nil
        if let g = bf16Graph {
            let key = [Set(observing.map(\.slot)), Set(bf16ModelOutputs.map(\.slot))]
            if bf16Plans[key] == nil { bf16Plans[key] = g.plan(observed: key[0], modelOutputs: key[1]) }
            bf16Plan = bf16Plans[key]
        }
        var skipThrough = -1
        for (i, step) in steps.enumerated() {
            // Steps absorbed by a fused convolution: their outputs were never produced, their other
            // inputs are constants.
            if i <= skipThrough { continue }
            if let f = fusions[i], !f.hiddenSlots.contains(where: { watchers[$0] != nil }) {
                try runFused(step, f, i, &slots, ctx, trace: trace, observer: observer, watchers: watchers)
                skipThrough = i + f.absorbed
                continue
            }
            let rounding = bf16Plan?[i] ?? step.bf16
            ins.removeAll(keepingCapacity: true)
            for s in step.inputSlots { ins.append(slots[s]!) }
            // Developer-only bf16 emulation: rounded copies, so no slot's memory changes.
            if !rounding.isEmpty { for k in rounding.inputs { ins[k] = BF16Rounding.rounded(ins[k]) } }
            let start = trace ? DispatchTime.now().uptimeNanoseconds : 0
            // Outputs nobody reads are skipped unless this run observes one of them.
            var kernel = step.kernel
            if let lean = leanKernels[i], !lean.skipped.contains(where: { watchers[$0] != nil }) { kernel = lean.kernel }
            if let infos = step.staticInfos, !kernel.allocatesOutputs {
                outs.removeAll(keepingCapacity: true)
                for (k, s) in step.outputSlots.enumerated() { outs.append(planned(slot: s, infos[k])) }
                do {
                    beginScratch(i, ctx)
                    defer { ctx.endStep() }
                    try kernel.run(ins, &outs, ctx)
                } catch let e as OVIRError {
                    throw e.location == nil ? OVIRError(file: e.file, location: step.node.label, e.message) : e
                }
            } else {
                outs = try Step.execute(kernel: kernel, node: step.node, inputs: ins,
                                        staticInfos: step.staticInfos, ctx: ctx, zeroed: false)
            }
            if rounding.outputs {
                // A copy, never in place: a kernel may return one of its inputs as an output.
                for k in outs.indices where outs[k].elementType == .f32 { outs[k] = BF16Rounding.rounded(outs[k]) }
            }
            if trace {
                let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                let line = "[trace] \(step.node.name) \(step.node.type) in=\(ins.map { "\($0.elementType.rawValue)\($0.shape)" }.joined(separator: ",")) out=\(outs.map { "\($0.elementType.rawValue)\($0.shape)" }.joined(separator: ",")) kernel=\(kernel.kernelName) \(cFormat("%.3f", ms)) ms\n"
                writeToStandardError(line)
            }
            ins.removeAll(keepingCapacity: true)   // drop references before the uniqueness checks below
            for (k, s) in step.outputSlots.enumerated() { slots[s] = outs[k] }
            outs.removeAll(keepingCapacity: true)
            if let observer {
                for s in step.outputSlots { if let ks = watchers[s] { for w in ks { try observer(w, slots[s]!) } } }
            }
            for s in step.inputSlots where lastUse[s] == i && constants[s] == nil {
                release(&slots[s], slot: s)
            }
            for s in step.outputSlots where lastUse[s] < 0 && constants[s] == nil {
                release(&slots[s], slot: s)   // produced but never read (e.g. an unused second output)
            }
        }
        completed = true
        return resultSlots.map { slots[$0]! }
    }

    /// Runs a convolution with its bias Add (+ residual Add) (+ activation) fused in: the result goes
    /// straight to the last absorbed step's slot (planned live from the convolution's step on).
    private func runFused(_ step: Step, _ f: ConvFusion, _ i: Int, _ slots: inout [Tensor?], _ ctx: ExecutionContext,
                          trace: Bool, observer: ((Int, Tensor) throws -> Void)?, watchers: [Int: [Int]]) throws {
        var ins = step.inputSlots.map { slots[$0]! }
        let start = trace ? DispatchTime.now().uptimeNanoseconds : 0
        var outs = [planned(slot: f.outputSlot, f.outputInfo)]
        let epilogue = f.residualSlot == nil ? f.epilogue : f.epilogue.bound(residual: slots[f.residualSlot!]!, output: outs[0])
        do {
            beginScratch(i, ctx)
            defer { ctx.endStep() }
            try (step.kernel as! EpilogueConvolution).run(ins, &outs, ctx, epilogue: epilogue)
        } catch let e as OVIRError {
            throw e.location == nil ? OVIRError(file: e.file, location: step.node.label, e.message) : e
        }
        if trace {
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            let line = "[trace] \(step.node.name) \(step.node.type)+\(f.label) in=\(ins.map { "\($0.elementType.rawValue)\($0.shape)" }.joined(separator: ",")) out=f32\(outs[0].shape) kernel=\(step.kernel.kernelName)+fused \(cFormat("%.3f", ms)) ms\n"
            writeToStandardError(line)
        }
        ins.removeAll()   // drop references before the uniqueness checks below
        slots[f.outputSlot] = outs[0]
        outs.removeAll()
        if let observer, let ks = watchers[f.outputSlot] { for w in ks { try observer(w, slots[f.outputSlot]!) } }
        // Inputs of the convolution and of the absorbed steps (the residual) whose last reader was in the chain.
        for j in i...(i + f.absorbed) {
            for s in steps[j].inputSlots where lastUse[s] == j && constants[s] == nil {
                release(&slots[s], slot: s)
            }
        }
        if lastUse[f.outputSlot] < 0 { release(&slots[f.outputSlot], slot: f.outputSlot) }
    }

    /// Points `ctx`'s scratch at step `i`'s arena region, if it has one.
    private func beginScratch(_ i: Int, _ ctx: ExecutionContext) {
        if let r = scratchRegions[i], let arena { ctx.beginStep(region: arena + r.offset, bytes: r.bytes) }
    }

    /// The output tensor of a step: a view of the slot's arena region, or fresh memory for a slot
    /// outside the arena.
    private func planned(slot s: Int, _ info: ValueInfo) -> Tensor {
        let shape = info.shape.staticShape!
        let offset = plan.offsets[s]
        guard offset >= 0, let arena else {
            return info.elementType.bitWidth < 8 ? Tensor(zeros: info.elementType, shape: shape)
                                                 : Tensor(uninitialized: info.elementType, shape: shape)
        }
        let bytes = info.elementType.byteCount(for: shape.reduce(1, *))
        let view: TensorBuffer
        if let v = arenaViews[s] {
            arenaViews[s] = nil   // the tensor holds the only reference while the slot lives
            view = v
        } else {
            view = TensorBuffer(arenaRegion: arena + offset, byteCount: bytes)
        }
        // Packed sub-byte kernels or-in bits: give them zeroed memory.
        if info.elementType.bitWidth < 8 { view.bytes.initializeMemory(as: UInt8.self, repeating: 0, count: bytes) }
        return Tensor(elementType: info.elementType, shape: shape, buffer: view)
    }

    /// Drops a slot's tensor after its last use; see ``execute(_:observing:bf16ModelOutputs:observer:)``.
    private func release(_ tensor: inout Tensor?, slot s: Int) {
        guard var t = tensor else { return }
        tensor = nil
        guard t.buffer.isArenaRegion else { return }
        if !t.hasUniqueBuffer() {
            t.buffer.detachFromArena()
        } else if plan.offsets[s] >= 0, let arena, t.buffer.bytes == arena + plan.offsets[s] {
            arenaViews[s] = t.buffer
        }
    }
}
