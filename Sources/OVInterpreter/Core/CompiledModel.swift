#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A model ready to run on the CPU interpreter: ops resolved and instantiated, shapes inferred,
/// constant sub-graphs folded, and an execution plan in topological order that releases each
/// intermediate tensor after its last use. Intermediate tensors with static shapes live in one
/// activation arena whose layout is planned here from their lifetimes (``ActivationPlan``), so a run
/// allocates nothing but the model's outputs.
///
/// Every unsupported op, bad attribute or shape mismatch is reported by `init`, never during a run.
/// A compiled model runs one inference at a time (calls are serialised by a lock).
public final class CompiledModel: @unchecked Sendable {
    public let graph: Graph
    public let options: CompileOptions
    /// Model inputs in OpenVINO's order (the graph's Parameters in file order).
    public let inputs: [ModelIO]
    /// Model outputs in OpenVINO's order (the graph's Results in file order).
    public let outputs: [ModelIO]
    public let parameterNodes: [Node]
    public let resultNodes: [Node]

    let steps: [Step]
    /// Developer-only bf16 emulation in `.openvino` mode: the graph facts and the plans built so far,
    /// by observed slot set (runs are serialised by `lock`).
    let bf16Graph: BF16Graph?
    var bf16Plans: [[Set<Int>]: [BF16StepRounding]] = [:]
    let slotCount: Int
    let slotOf: [OutputRef: Int]
    /// Values known when compiling (Const layers and folded sub-graphs), by slot.
    let constants: [Int: Tensor]
    let parameterSlots: [Int]
    let resultSlots: [Int]
    /// For each slot, the index of the last step that reads it (Int.max for model outputs).
    let lastUse: [Int]
    /// Arena offsets of intermediate tensors (by slot) and of kernel scratch (by `slotCount` + step).
    let plan: ActivationPlan
    /// Each step's scratch region in the arena (offset, bytes), nil for steps without one.
    let scratchRegions: [(offset: Int, bytes: Int)?]
    /// What the activations need (arena, peak live bytes, largest tensors).
    public let activationMemory: ActivationMemory
    /// Convolution + bias Add (+ residual Add) (+ activation) chains by the convolution's step index (fast kernels only).
    let fusions: [Int: ConvFusion]
    /// Constant slots that hold packed weights in place of the weights (their only reader's kernel
    /// unpacks them for observers).
    let prepacked: [Int: GemmConvolutionKernel]
    /// Variants of steps' kernels that skip outputs no step reads (MaxPool-8's indices), by step
    /// index, with those output slots: a run uses the variant unless it observes one of them.
    let leanKernels: [Int: (kernel: any Kernel, skipped: [Int])]
    private let lock = PlainLock()
    /// The activation arena (`plan.arenaBytes`), allocated on the first run; guarded by `lock`.
    var arena: UnsafeMutableRawPointer?
    /// Views of arena regions by slot, reused across runs; guarded by `lock`.
    var arenaViews: [TensorBuffer?] = []
    /// Kept across runs (runs are serialised by `lock`) so kernel scratch memory (im2col) is reused.
    let runContext: ExecutionContext

    /// Compiles `graph`. Throws an ``OVIRError`` naming the layer on any unsupported op or bad model.
    public init(graph: Graph, options: CompileOptions = CompileOptions()) throws {
        self.graph = graph
        self.options = options
        self.runContext = ExecutionContext(options: options)
        let order = try graph.topologicalOrder()
        var slotOf: [OutputRef: Int] = [:]
        var infos: [ValueInfo] = []
        var constants: [Int: Tensor] = [:]
        var steps: [Step] = []
        var parameterSlots: [Int] = [], parameterNodes: [Node] = []
        var resultSources: [Node: Int] = [:]
        let ctx = ExecutionContext(options: options)
        var bf16 = BF16Planner(mode: options.bf16Emulation, graph: graph)

        for node in order {
            let inputSlots: [Int] = try node.inputs.enumerated().map { (i, port) in
                guard let src = port.source, let s = slotOf[src] else {
                    throw OVIRError(location: node.label, "input \(i) is not connected; expected an edge into port \(port.portID)")
                }
                return s
            }
            switch node.type {
            case "Parameter":
                let t = try IOOps.parameterType(node)
                slotOf[node.output(0)] = infos.count
                parameterSlots.append(infos.count)
                parameterNodes.append(node)
                infos.append(ValueInfo(t.0, t.1))
                continue
            case "Const":
                guard let value = node.constant else {
                    throw OVIRError(location: node.label, "Const has no data; expected element_type, shape, offset and size")
                }
                slotOf[node.output(0)] = infos.count
                constants[infos.count] = value
                infos.append(ValueInfo(value))
                continue
            case "Result":
                guard inputSlots.count == 1 else {
                    throw OVIRError(location: node.label, "Result expects 1 input, found \(inputSlots.count)")
                }
                resultSources[node] = inputSlots[0]
                continue
            default:
                break
            }
            let def = try OpRegistry.resolve(node)
            var kernel: any Kernel
            let outInfos: [ValueInfo]
            do {
                kernel = try def.make(node)
                let inInfos = inputSlots.map { infos[$0] }
                outInfos = try kernel.infer(inInfos)
                // A fast kernel may claim this node (never when folding constants or in reference mode).
                if !options.referenceKernelsOnly, let fast = try FastKernels.select(node: node, reference: kernel,
                                                                                   inputs: inInfos, outputs: outInfos) {
                    kernel = fast
                }
            } catch let e as OVIRError {
                throw e.location == nil ? OVIRError(file: e.file, location: node.label, e.message) : e
            }
            guard outInfos.count == node.outputs.count || node.outputs.isEmpty else {
                throw OVIRError(location: node.label, "op produces \(outInfos.count) outputs but the IR declares \(node.outputs.count)")
            }
            let outSlots = Array(infos.count..<(infos.count + outInfos.count))
            for (k, s) in outSlots.enumerated() { slotOf[node.output(k)] = s }
            infos.append(contentsOf: outInfos)

            // Fold when every input is known, or when inference alone produced every value (ShapeOf).
            let allInputsKnown = inputSlots.allSatisfy { infos[$0].value != nil }
            let allOutputsKnown = outInfos.allSatisfy { $0.value != nil }
            if options.constantFolding && (allOutputsKnown || (allInputsKnown && !node.type.hasPrefix("Random"))) {
                let values: [Tensor]
                if allOutputsKnown {
                    values = outInfos.map { $0.value! }
                } else {
                    values = try Step.execute(kernel: kernel, node: node, inputs: inputSlots.map { infos[$0].value! },
                                              staticInfos: outInfos, ctx: ctx, zeroed: true)
                }
                for (k, s) in outSlots.enumerated() {
                    constants[s] = values[k]
                    infos[s] = ValueInfo(values[k])
                }
                // The folded inputs' mapped weight pages (e.g. the f32 weights under a FakeQuantize,
                // now an owned copy) leave memory at once; a kernel that reads them faults them back.
                if !allOutputsKnown { for s in inputSlots { infos[s].value?.buffer.releaseMappedPages() } }
                continue
            }
            let isStatic = outInfos.allSatisfy { $0.shape.isStatic }
            var stepInputs = inputSlots
            var rounding = BF16StepRounding()
            if options.bf16Emulation != .off {
                // Developer-only bf16 emulation: constants are rounded once, into slots of their own.
                let planned = bf16.plan(node, inputCount: inputSlots.count) { infos[inputSlots[$0]].value != nil }
                for k in planned.inputs where infos[inputSlots[k]].elementType == .f32 {
                    if let c = infos[inputSlots[k]].value {
                        let r = BF16Rounding.rounded(c)
                        stepInputs[k] = infos.count
                        constants[infos.count] = r
                        infos.append(ValueInfo(r))
                    } else {
                        rounding.inputs.append(k)
                    }
                }
                rounding.outputs = planned.outputs
            }
            steps.append(Step(node: node, kernel: kernel, inputSlots: stepInputs, outputSlots: outSlots,
                              staticInfos: isStatic ? outInfos : nil, bf16: rounding))
        }

        let results = graph.results
        var resultSlots: [Int] = []
        for r in results {
            guard let s = resultSources[r] else { throw OVIRError(location: r.label, "Result is not reachable") }
            resultSlots.append(s)
        }
        let fuse = !options.referenceKernelsOnly && options.bf16Emulation == .off && options.fuseConvolutions
        // Shortcut branches scheduled between a convolution and its residual Add move before the
        // convolution, so the Add can be fused (same kernels and values, other step order).
        if fuse { ConvFusion.hoistResidualProducers(&steps) { constants[$0] != nil } }
        var lastUse = Array(repeating: -1, count: infos.count)
        for (i, step) in steps.enumerated() { for s in step.inputSlots { lastUse[s] = i } }
        for s in resultSlots { lastUse[s] = Int.max }

        var leanKernels: [Int: (kernel: any Kernel, skipped: [Int])] = [:]
        if !options.referenceKernelsOnly {
            for (i, step) in steps.enumerated() {
                guard let k = step.kernel as? OutputSkippingKernel, step.staticInfos != nil else { continue }
                let unread = step.outputSlots.indices.filter { lastUse[step.outputSlots[$0]] < 0 }
                if !unread.isEmpty, let lean = k.skipping(outputs: Set(unread)) {
                    leanKernels[i] = (lean, unread.map { step.outputSlots[$0] })
                }
            }
        }
        // Constant weights of convolutions that run the packed GEMM are packed now. When the
        // convolution is the constant's only reader, the packed copy takes the constant's place, so
        // no weight is held twice: a FakeQuantize'd weight's folded f32 copy is freed, a mapped
        // weight's pages leave memory. Observers of such a constant get it unpacked.
        var prepacked: [Int: GemmConvolutionKernel] = [:]
        if !options.referenceKernelsOnly && options.bf16Emulation == .off && options.prepackWeights {
            var readers: [Int: Int] = [:]
            for step in steps { for s in step.inputSlots where constants[s] != nil { readers[s, default: 0] += 1 } }
            for s in resultSlots where constants[s] != nil { readers[s, default: 0] += 1 }
            for step in steps {
                guard let conv = step.kernel as? GemmConvolutionKernel, step.inputSlots.count == 2 else { continue }
                let ws = step.inputSlots[1]
                guard readers[ws] == 1, let w = constants[ws], let xs = infos[step.inputSlots[0]].shape.staticShape,
                      let ys = step.staticInfos?.first?.shape.staticShape,
                      let standIn = conv.prepackedWeights(x: xs, w: w, y: ys) else { continue }
                constants[ws] = standIn
                infos[ws].value = standIn
                prepacked[ws] = conv
            }
        }
        // Small mapped constants that kernels read (biases, BatchNorm and PReLU parameters, small
        // weights) get owned copies, so the mapping can leave memory after compiling: read in place,
        // each would fault its whole 64 KiB fault-around window back in (Linux maps the page-cache
        // pages of the aligned window around a read fault), i.e. the pages of neighbouring weights
        // that were packed or folded into owned copies — weights held twice. A constant whose
        // window a large weight read in place shares stays mapped: those pages come back anyway.
        do {
            let window = Self.faultAroundBytes
            var inPlace: [(lo: Int, hi: Int)] = []   // windows of large mapped constants read in place
            var small: Set<Int> = []
            for step in steps {
                for s in step.inputSlots {
                    guard let c = constants[s], c.buffer.mappedWeights != nil else { continue }
                    if c.buffer.byteCount < Self.smallConstantBytes {
                        small.insert(s)
                    } else {
                        let a = Int(bitPattern: c.buffer.bytes)
                        inPlace.append((a / window * window, (a + c.buffer.byteCount + window - 1) / window * window))
                    }
                }
            }
            for s in small.sorted() {
                let c = constants[s]!
                let a = Int(bitPattern: c.buffer.bytes)
                let lo = a / window * window, hi = (a + c.buffer.byteCount + window - 1) / window * window
                if inPlace.contains(where: { $0.lo < hi && lo < $0.hi }) { continue }
                let b = TensorBuffer(uninitializedByteCount: c.buffer.byteCount)
                b.bytes.copyMemory(from: c.buffer.bytes, byteCount: c.buffer.byteCount)
                let owned = Tensor(elementType: c.elementType, shape: c.shape, buffer: b)
                constants[s] = owned
                infos[s].value = owned
            }
        }
        // (After packing and copying: fused epilogues hold the constants they read.)
        var fusions: [Int: ConvFusion] = [:]
        // The developer-only bf16 emulation rounds between steps, so it runs them unfused.
        if fuse {
            for i in steps.indices {
                if let f = ConvFusion.find(at: i, steps: steps, constants: constants, lastUse: lastUse, infos: infos) { fusions[i] = f }
            }
        }
        // A fused chain writes its last step's output while the convolution runs: that tensor is
        // live from the convolution's step on, so it never shares bytes with the convolution's inputs.
        var bornAt: [Int: Int] = [:]
        for (i, f) in fusions { bornAt[f.outputSlot] = i }
        // A fused run never produces the chain's inner tensors (the convolution's output, the Add's
        // before a PReLU), so they get no arena space: runs that observe one of them execute the chain
        // unfused and allocate those tensors when produced (freed after their last use).
        let hidden = Set(fusions.values.flatMap(\.hiddenSlots))

        var items: [ActivationPlan.Item] = [], activationSizes: [Int] = []
        for (i, step) in steps.enumerated() {
            guard let outInfos = step.staticInfos else { continue }
            for (k, s) in step.outputSlots.enumerated() {
                guard let shape = outInfos[k].shape.staticShape else { continue }
                let bytes = outInfos[k].elementType.byteCount(for: shape.reduce(1, *))
                activationSizes.append(bytes)
                guard !step.kernel.allocatesOutputs, lastUse[s] != Int.max, !hidden.contains(s) else { continue }
                let first = bornAt[s] ?? i
                items.append(.init(slot: s, bytes: ActivationPlan.aligned(bytes), first: first, last: max(i, lastUse[s])))
            }
        }
        // Kernel scratch (padded planes, im2col tiles, packed column blocks) lives in the arena for
        // its step only, in the gaps the step's live tensors leave: item `infos.count + i` is step
        // i's. A fused chain runs its convolution's kernel at the convolution's step.
        var scratchBytes = Array(repeating: 0, count: steps.count)
        if !options.referenceKernelsOnly {
            for (i, step) in steps.enumerated() {
                guard let outInfos = step.staticInfos, !step.kernel.allocatesOutputs,
                      step.inputSlots.allSatisfy({ infos[$0].shape.isStatic }) else { continue }
                let bytes = step.kernel.scratchBytes(step.inputSlots.map { infos[$0] }, outInfos, options)
                guard bytes > 0 else { continue }
                scratchBytes[i] = ActivationPlan.aligned(bytes)
                items.append(.init(slot: infos.count + i, bytes: scratchBytes[i], first: i, last: i))
            }
        }
        let plan = ActivationPlan(slotCount: infos.count + steps.count, items: items)
        var readConstants: [ObjectIdentifier: Int] = [:]
        for step in steps {
            for s in step.inputSlots { if let c = constants[s] { readConstants[ObjectIdentifier(c.buffer)] = c.buffer.byteCount } }
        }
        self.plan = plan
        self.scratchRegions = scratchBytes.enumerated().map { (i, b) in b > 0 ? (plan.offsets[infos.count + i], b) : nil }
        self.activationMemory = ActivationMemory(arenaBytes: plan.arenaBytes, peakLiveBytes: plan.peakLiveBytes,
                                                 largestActivationBytes: Array(activationSizes.sorted(by: >).prefix(2)),
                                                 constantBytes: readConstants.values.reduce(0, +))

        self.steps = steps
        self.bf16Graph = options.bf16Emulation == .openvino
            ? BF16Graph(steps: steps, constants: Set(constants.keys), resultSlots: resultSlots) : nil
        self.slotCount = infos.count
        self.slotOf = slotOf
        self.constants = constants
        self.parameterSlots = parameterSlots
        self.parameterNodes = parameterNodes
        self.resultNodes = results
        self.resultSlots = resultSlots
        self.lastUse = lastUse
        self.fusions = fusions
        self.prepacked = prepacked
        self.leanKernels = leanKernels
        // Names follow OpenVINO's rules for IR (Graph.modelInputs / modelOutputs); types and shapes
        // are the inferred ones.
        let portsIn = graph.modelInputs, portsOut = graph.modelOutputs
        self.inputs = parameterNodes.map { p in
            let port = portsIn.first { $0.node === p }
            let info = infos[slotOf[p.output(0)]!]
            return ModelIO(name: port?.name ?? p.name, names: port?.names ?? [], nodeName: p.name,
                           elementType: info.elementType, shape: info.shape)
        }
        self.outputs = zip(results, resultSlots).map { (r, s) in
            let port = portsOut.first { $0.node === r }
            return ModelIO(name: port?.name ?? r.name, names: port?.names ?? [], nodeName: r.name,
                           elementType: infos[s].elementType, shape: infos[s].shape)
        }
        // Constant folding has read weights that no kernel reads again (FakeQuantize'd or f16 weights
        // now have owned f32 copies): drop the mapped pages, kernels fault the ones they read back in.
        var weightFiles: [ObjectIdentifier: WeightsFile] = [:]
        for node in graph.nodes {
            if let f = node.constant?.buffer.mappedWeights { weightFiles[ObjectIdentifier(f)] = f }
        }
        for f in weightFiles.values { f.releaseResidentPages() }
    }

    deinit {
        arena?.deallocate()
    }

    /// Mapped constants smaller than this that kernels read are copied when compiling.
    static let smallConstantBytes = 64 * 1024
    /// Linux's fault-around window for file mappings (`fault_around_bytes`, 64 KiB by default).
    static let faultAroundBytes = 64 * 1024

    /// The slot of a node's output, for observers.
    public func observable(node name: String, output: Int = 0) -> ObservedOutput? {
        guard let n = graph.node(named: name) else { return nil }
        if n.type == "Result", let src = n.inputs.first?.source, let s = slotOf[src] { return ObservedOutput(slot: s) }
        guard output < n.outputs.count || n.outputs.isEmpty, let s = slotOf[n.output(output)] else { return nil }
        return ObservedOutput(slot: s)
    }

    /// Runs one inference with inputs in `inputs` order. Returns outputs in `outputs` order.
    public func infer(_ values: [Tensor]) throws -> [Tensor] {
        try infer(values, observing: [], observer: nil)
    }

    /// Runs one inference with inputs bound by name (tensor name or Parameter layer name).
    public func infer(named values: [String: Tensor]) throws -> [Tensor] {
        try infer(orderedInputs(values))
    }

    /// Orders named inputs as `inputs`; errors name the missing or unknown input.
    public func orderedInputs(_ values: [String: Tensor]) throws -> [Tensor] {
        for key in values.keys where !inputs.contains(where: { $0.matches(key) }) {
            throw OVIRError("unknown input '\(key)'; the model's inputs are \(inputs.map { "'\($0.name)'" }.joined(separator: ", "))")
        }
        return try inputs.map { io in
            guard let v = values.first(where: { io.matches($0.key) })?.value else {
                throw OVIRError("input '\(io.name)' is missing; expected \(io.elementType.rawValue) \(io.shape)")
            }
            return v
        }
    }

    /// Runs one inference; `observer(k, tensor)` sees the value of `observing[k]` as soon as it is produced.
    public func infer(_ values: [Tensor], observing: [ObservedOutput],
                      observer: ((Int, Tensor) throws -> Void)?) throws -> [Tensor] {
        try infer(values, observing: observing, bf16ModelOutputs: [], observer: observer)
    }

    /// As `infer(_:observing:observer:)`. DEVELOPER-ONLY `bf16ModelOutputs` matters only with
    /// `CompileOptions.bf16Emulation == .openvino`: the observed tensors a POT run would make model
    /// outputs themselves (rather than inputs of an added Reduce op), whose producers OpenVINO lets
    /// write f32.
    public func infer(_ values: [Tensor], observing: [ObservedOutput], bf16ModelOutputs: Set<ObservedOutput>,
                      observer: ((Int, Tensor) throws -> Void)?) throws -> [Tensor] {
        try validate(values)
        lock.lock()
        defer { lock.unlock() }
        return try execute(values, observing: observing, bf16ModelOutputs: bf16ModelOutputs, observer: observer)
    }

    private func validate(_ values: [Tensor]) throws {
        guard values.count == inputs.count else {
            throw OVIRError("the model takes \(inputs.count) input(s) (\(inputs.map { "'\($0.name)'" }.joined(separator: ", "))), \(values.count) given")
        }
        for (io, v) in zip(inputs, values) {
            guard v.elementType == io.elementType else {
                throw OVIRError("input '\(io.name)': expected element type \(io.elementType.rawValue), found \(v.elementType.rawValue)")
            }
            guard io.shape.accepts(v.shape) else {
                throw OVIRError("input '\(io.name)': expected shape \(io.shape), found \(v.shape)")
            }
        }
    }
}

/// A model input or output: OpenVINO's any_name, all tensor names, the layer name, type and shape.
public struct ModelIO: Sendable, Hashable {
    public var name: String
    public var names: [String]
    public var nodeName: String
    public var elementType: ElementType
    public var shape: PartialShape
    /// Whether `key` names this input or output (any tensor name, or the layer name).
    public func matches(_ key: String) -> Bool { key == name || names.contains(key) || key == nodeName }
}

/// A handle on one tensor of a compiled model that observers can watch.
public struct ObservedOutput: Hashable, Sendable {
    let slot: Int
}
