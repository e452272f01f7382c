import Foundation
import Testing
@testable import OVInterpreter
@testable import OVIR
import _TestSupport

/// The activation arena: offsets planned from lifetimes, regions reused across tensors and runs,
/// and values that observers keep stay intact when their region is reused.
@Suite("Activation arena")
struct ActivationPlanTests {
    /// Tensors live at the same step never share bytes, and the arena holds at least the peak.
    @Test("random lifetimes: no two live tensors overlap")
    func randomLifetimes() {
        var state: UInt64 = 12345
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for _ in 0..<20 {
            var items: [ActivationPlan.Item] = []
            for s in 0..<150 {
                let first = next(80)
                items.append(.init(slot: s, bytes: ActivationPlan.aligned(1 + next(5000)), first: first, last: first + next(12)))
            }
            let plan = ActivationPlan(slotCount: 150, items: items)
            for a in items {
                let oa = plan.offsets[a.slot]
                #expect(oa >= 0 && oa % ActivationPlan.alignment == 0 && oa + a.bytes <= plan.arenaBytes)
                for b in items where b.slot > a.slot && a.overlapsInTime(b) {
                    let ob = plan.offsets[b.slot]
                    #expect(oa + a.bytes <= ob || ob + b.bytes <= oa, "slots \(a.slot) and \(b.slot) are live together and overlap")
                }
            }
            #expect(plan.arenaBytes >= plan.peakLiveBytes)
            // Greedy by size stays close to the lower bound on such lifetimes.
            #expect(Double(plan.arenaBytes) <= 1.5 * Double(plan.peakLiveBytes), "arena \(plan.arenaBytes), peak live \(plan.peakLiveBytes)")
        }
    }

    @Test("a chain of equal tensors ping-pongs between two regions")
    func chain() {
        let items = (0..<10).map { ActivationPlan.Item(slot: $0, bytes: ActivationPlan.aligned(1000), first: $0, last: $0 + 1) }
        let plan = ActivationPlan(slotCount: 10, items: items)
        #expect(plan.arenaBytes == 2 * 1024)
        #expect(plan.peakLiveBytes == 2 * 1024)
        #expect(Set(items.map { plan.offsets[$0.slot] }) == [0, 1024])
    }

    /// x -> Relu -> *2 -> +1 -> *2 -> +1 -> *3 (result): 64 floats each.
    static func chainModel() throws -> CompiledModel {
        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [1, 64])
        var h = b.op("Relu", [x], name: "relu")
        for (k, (op, c)) in [("Multiply", Float(2)), ("Add", 1), ("Multiply", 2), ("Add", 1)].enumerated() {
            h = b.op(op, [h, b.constant([c], shape: [1])], name: "op\(k)")
        }
        b.result(b.op("Multiply", [h, b.constant([3], shape: [1])], name: "out"))
        return try CompiledModel(graph: b.graph)
    }

    static func expected(_ x: [Float]) -> [String: [Float]] {
        let r = x.map { max($0, 0) }, a = r.map { $0 * 2 }, b = a.map { $0 + 1 }, c = b.map { $0 * 2 }, d = c.map { $0 + 1 }
        return ["relu": r, "op0": a, "op1": b, "op2": c, "op3": d, "out": d.map { $0 * 3 }]
    }

    static func input(_ seed: Float) -> [Float] { (0..<64).map { Float($0 % 7) - 3 + seed } }

    @Test("the chain model's intermediates fit in two regions and repeated runs agree")
    func chainModelArena() throws {
        let model = try Self.chainModel()
        #expect(model.activationMemory.arenaBytes == 2 * 256)
        #expect(model.activationMemory.peakLiveBytes == 2 * 256)
        #expect(model.activationMemory.largestActivationBytes == [256, 256])
        #expect(model.activationMemory.constantBytes == 5 * 4)   // five scalar f32 Consts
        for seed in [Float(0), 0.5, 0, -1] {
            let out = try model.infer([Tensor(shape: [1, 64], scalars: Self.input(seed))])
            #expect(out[0].floatValues() == Self.expected(Self.input(seed))["out"]!)
            #expect(!out[0].buffer.isArenaRegion, "model outputs are never arena memory")
        }
        // Every planned slot's view came back for the next run: nothing is allocated for them.
        let planned = model.plan.offsets.filter { $0 >= 0 }.count
        #expect(planned == 5)
        #expect(model.arenaViews.compactMap { $0 }.count == planned)
    }

    @Test("tensors an observer keeps keep their values when the arena region is reused")
    func observerKeepsValues() throws {
        let model = try Self.chainModel()
        let names = ["relu", "op0", "op1", "op2", "op3", "out"]
        let handles = names.map { model.observable(node: $0)! }
        var kept: [[String: Tensor]] = []
        for seed in [Float(0), 2] {
            var run: [String: Tensor] = [:]
            _ = try model.infer([Tensor(shape: [1, 64], scalars: Self.input(seed))], observing: handles) { k, t in run[names[k]] = t }
            kept.append(run)
        }
        for (seed, run) in zip([Float(0), 2], kept) {
            let want = Self.expected(Self.input(seed))
            for n in names {
                #expect(run[n]?.floatValues() == want[n], "\(n) of the run with seed \(seed)")
                #expect(run[n]?.buffer.isArenaRegion == false, "\(n): a kept tensor is detached from the arena")
            }
        }
        // The next run without observers still computes the right values in the arena.
        let out = try model.infer([Tensor(shape: [1, 64], scalars: Self.input(1))])
        #expect(out[0].floatValues() == Self.expected(Self.input(1))["out"]!)
    }
}

/// What a compiled model keeps resident: fused convolution chains plan no arena space for the
/// tensors a fused run never produces, and the mapped weights pages that only constant folding read
/// are given back.
@Suite("Activation arena: fusion and weights residency")
struct ArenaResidencyTests {
    static func random(_ shape: [Int], _ seed: UInt64, _ scale: Float) -> Tensor {
        FastKernelTests.random(shape, seed: seed, scale: scale)
    }

    /// x → Relu → GroupConvolution → Add(bias) → PReLU → Relu, 8 x 20 x 20 floats per activation.
    static func fusedChain() -> Graph {
        let g = GraphBuilder()
        let p = g.parameter("x", .f32, [1, 8, 20, 20])
        let pre = g.op("Relu", [p], [:], version: "opset1", name: "pre")
        let conv = g.op("GroupConvolution", [pre, g.constant(random([8, 1, 1, 3, 3], 90, 0.3))],
                        FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1"), version: "opset1", name: "conv")
        let add = g.op("Add", [conv, g.constant(random([1, 8, 1, 1], 91, 1))], ["auto_broadcast": "numpy"],
                       version: "opset1", name: "add")
        let prelu = g.op("PReLU", [add, g.constant(random([8], 92, 0.5))], [:], version: "opset1", name: "prelu")
        g.result(g.op("Relu", [prelu], [:], version: "opset1", name: "post"))
        return g.graph
    }

    @Test("a fused chain's inner tensors get no arena space; observing them still works")
    func fusedChainArena() throws {
        let graph = Self.fusedChain()
        let fast = try CompiledModel(graph: graph)
        #expect(fast.fusedConvolutions["conv"] == "Add+PReLU")
        let bytes = 8 * 20 * 20 * 4
        // Live at the convolution: its input (pre), the fused result (prelu's slot) and the
        // depthwise kernel's padded plane (22 x 22 + a SIMD8 tail per row: 22 x 26 floats); conv's
        // and add's outputs are never produced by a fused run. Before: 3 x bytes.
        let scratch = fast.scratchRegions.compactMap { $0?.bytes }
        #expect(scratch == [ExecutionContext.aligned(22 * 26 * 4)])
        #expect(fast.activationMemory.arenaBytes == 2 * bytes + scratch[0])
        for name in ["conv", "add"] {
            let o = fast.observable(node: name)!
            #expect(fast.plan.offsets[o.slot] == -1, "\(name) has no arena offset")
        }
        let ref = try CompiledModel(graph: graph, options: CompileOptions(referenceKernelsOnly: true))
        let input = Self.random([1, 8, 20, 20], 93, 1)
        let names = ["conv", "add", "prelu"]
        func run(_ m: CompiledModel, observe: Bool) throws -> ([[Float]], [Float]) {
            var seen = [[Float]](repeating: [], count: names.count)
            let out = try m.infer([input], observing: observe ? names.map { m.observable(node: $0)! } : []) { k, t in
                seen[k] = t.floatValues()
            }
            return (seen, out[0].floatValues())
        }
        let (refSeen, refOut) = try run(ref, observe: true)
        // Observed (unfused, inner tensors allocated when produced), fused, observed again.
        for observe in [true, false, true] {
            let (seen, out) = try run(fast, observe: observe)
            FastFusionTests.expectSame(refOut, out, "output, observing: \(observe)")
            if observe { for k in names.indices { FastFusionTests.expectSame(refSeen[k], seen[k], "observed \(names[k])") } }
        }
    }

    /// Resident kB of the mapping that contains `address` (/proc/self/smaps), nil if none does.
    static func residentKB(ofMappingAt address: UnsafeRawPointer) -> Int? {
        let a = UInt(bitPattern: address)
        var inside = false
        // /proc files report size 0: read to the end in chunks.
        let fd = open("/proc/self/smaps", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let ends = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = ends.count == 2 && ends[0] <= a && a < ends[1]
            } else if inside, fields.first == "Rss:", fields.count >= 2 {
                return Int(fields[1])
            }
        }
        return nil
    }

    #if os(Linux)
    @Test("weights pages that only constant folding read are not resident after compiling")
    func foldedWeightsPagesReleased() throws {
        // POT's INT8 IR: every convolution weight is FakeQuantize(f32 Const), folded into an owned copy.
        let graph = try IRReader.read(xmlPath: Fixtures.path("models/face_landmark/pot/face_landmark_int8.xml"))
        let files = graph.nodes.compactMap { $0.constant?.buffer.mappedWeights }
        let file = try #require(files.first)
        let base = try #require(file.base)
        // Touch every page as folding does, then compile.
        var sum: UInt8 = 0
        for off in stride(from: 0, to: file.byteCount, by: 4096) { sum &+= base.load(fromByteOffset: off, as: UInt8.self) }
        _ = sum
        #expect(Self.residentKB(ofMappingAt: base) ?? 0 > file.byteCount / 1024 / 2)
        let model = try CompiledModel(graph: graph)
        #expect(Self.residentKB(ofMappingAt: base) == 0)
        // Kernels still read the right bytes: the same outputs as a model compiled from a fresh read.
        let input = Self.random([1, 192, 192, 3], 94, 1)
        let fresh = try CompiledModel(graph: IRReader.read(xmlPath: Fixtures.path("models/face_landmark/pot/face_landmark_int8.xml")))
        let a = try model.infer([input]), b = try fresh.infer([input])
        for (x, y) in zip(a, b) { #expect(x.floatValues() == y.floatValues()) }
        // Only what kernels read came back (biases, PReLU slopes, folded-away weights stay out).
        #expect(Self.residentKB(ofMappingAt: base) ?? Int.max < file.byteCount / 1024 / 2)
    }
    #endif
}

/// The planner's orders, and kernel scratch planned into the arena for its step only.
@Suite("Activation arena: placement orders and kernel scratch")
struct ArenaScratchTests {
    /// Greedy by size alone leaves a hole here (arena 8 units for a peak of 6): the 4-unit tensor
    /// and the 3-unit one share offset 0, which pushes the 2-unit tensor live with both past them.
    /// Ordering by lifetime (or by the busiest step a tensor spans) reaches the lower bound.
    @Test("another order reaches the lower bound where greedy by size does not")
    func ordersReachTheLowerBound() {
        let u = ActivationPlan.alignment
        let items: [ActivationPlan.Item] = [.init(slot: 0, bytes: 2 * u, first: 1, last: 3), .init(slot: 1, bytes: 4 * u, first: 0, last: 1),
                                            .init(slot: 2, bytes: 3 * u, first: 4, last: 5), .init(slot: 3, bytes: 2 * u, first: 3, last: 4)]
        let bySize = items.indices.sorted { items[$0].bytes != items[$1].bytes ? items[$0].bytes > items[$1].bytes : items[$0].first < items[$1].first }
        #expect(ActivationPlan.place(items, order: bySize).arena == 8 * u)
        let plan = ActivationPlan(slotCount: 4, items: items)
        #expect(plan.peakLiveBytes == 6 * u)
        #expect(plan.arenaBytes == 6 * u)
        #expect(plan.overlaps().isEmpty)
    }

    /// x → 3x3 conv 32→16 (packed GEMM, padded planes in bands) → Relu → depthwise 3x3 (padded
    /// plane) → 3x3 conv 16→6 (im2col + SmallGemm) → 2x2/2 deconvolution (sgemm tile) → result.
    static func scratchModel() -> Graph {
        let g = GraphBuilder()
        let r = { (shape: [Int], seed: UInt64, scale: Float) in FastKernelTests.random(shape, seed: seed, scale: scale) }
        let a = FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1")
        let x = g.parameter("x", .f32, [1, 32, 48, 40])
        var h = g.op("Convolution", [x, g.constant(r([16, 32, 3, 3], 70, 0.06))], a, version: "opset1", name: "packed")
        h = g.op("Relu", [h], [:], version: "opset1", name: "relu")
        h = g.op("GroupConvolution", [h, g.constant(r([16, 1, 1, 3, 3], 71, 0.3))], a, version: "opset1", name: "depthwise")
        h = g.op("Convolution", [h, g.constant(r([6, 16, 3, 3], 72, 0.08))], FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1"),
                 version: "opset1", name: "small")
        h = g.op("ConvolutionBackpropData", [h, g.constant(r([6, 4, 2, 2], 73, 0.3))], FastKernelTests.convAttrs("2,2", "0,0", dil: "1,1"),
                 version: "opset1", name: "deconv")
        g.result(h)
        return g.graph
    }

    @Test("kernel scratch lives in the arena, never over a live tensor, and outputs are unchanged")
    func scratchInArena() throws {
        let graph = Self.scratchModel()
        let input = FastKernelTests.random([1, 32, 48, 40], seed: 74, scale: 1)
        let want = try CompiledModel(graph: graph, options: CompileOptions(referenceKernelsOnly: true)).infer([input])[0]
        for threads in [1, 3] {
            let model = try CompiledModel(graph: graph, options: CompileOptions(threads: threads))
            #expect(model.kernelNamesByNode["packed"] == "blas.conv" && model.kernelNamesByNode["deconv"] == "blas.deconv")
            #expect(model.plan.overlaps().isEmpty)
            let withScratch = model.steps.indices.filter { model.scratchRegions[$0] != nil }.map { model.steps[$0].node.name }
            #expect(Set(withScratch) == ["packed", "depthwise", "small", "deconv"], "\(withScratch)")
            for _ in 0..<2 {
                let got = try model.infer([input])[0]
                PackedConvGemmTests.expectClose(got.floatValues(), want.floatValues(), "threads \(threads)")
            }
            #expect(model.runContext.regionMisses == 0)
            #expect(model.runContext.keptScratchBytes == 0, "scratch outside the arena: \(model.runContext.keptScratchBytes) bytes")
            // The scratch shares the arena: the arena grew by less than the scratch's total.
            let scratch = model.scratchRegions.compactMap { $0?.bytes }.reduce(0, +)
            let tensors = ActivationPlan(slotCount: model.slotCount, items: model.plan.items.filter { $0.slot < model.slotCount })
            #expect(model.plan.arenaBytes < tensors.arenaBytes + scratch)
        }
    }

    /// Small mapped constants that kernels read are owned copies (same bytes) unless a large weight
    /// read in place shares their 64 KiB fault-around window, so after a run the mapping holds only
    /// the windows of the weights read in place.
    @Test("small constants are copied when compiling and the mapping stays out of memory")
    func smallConstantsCopied() throws {
        let path = Fixtures.path("models/face_landmark/face_landmark.xml")
        let model = try CompiledModel(graph: IRReader.read(xmlPath: path))
        let files = model.graph.nodes.compactMap { $0.constant?.buffer.mappedWeights }
        let file = try #require(files.first)
        let base = try #require(file.base)
        let fresh = try IRReader.read(xmlPath: path)
        let window = CompiledModel.faultAroundBytes
        func span(_ c: Tensor) -> Range<Int> {
            let a = Int(bitPattern: c.buffer.bytes)
            return (a / window * window)..<((a + c.buffer.byteCount + window - 1) / window * window)
        }
        var copied = 0, smallInPlace: [Range<Int>] = [], largeInPlace: [Range<Int>] = []
        for step in model.steps {
            for (k, s) in step.inputSlots.enumerated() {
                guard let c = model.constants[s], let src = step.node.inputs[k].source, src.node.type == "Const" else { continue }
                if c.buffer.mappedWeights != nil {
                    if c.buffer.byteCount < CompiledModel.smallConstantBytes { smallInPlace.append(span(c)) } else { largeInPlace.append(span(c)) }
                } else if model.prepacked[s] == nil {
                    copied += 1
                    let originalNode = fresh.node(named: src.node.name)
                    let original = try #require(originalNode?.constant)
                    #expect(c.buffer.byteCount == original.buffer.byteCount)
                    #expect(memcmp(c.buffer.bytes, original.buffer.bytes, c.buffer.byteCount) == 0, "\(src.node.name)")
                }
            }
        }
        #expect(copied > 20)   // biases, PReLU slopes, depthwise weights
        for w in smallInPlace { #expect(largeInPlace.contains { $0.overlaps(w) }, "a small constant left mapped alone in its window") }
        _ = try model.infer([FastKernelTests.random([1, 192, 192, 3], seed: 76, scale: 1)])
        let windows = Set(largeInPlace.flatMap { stride(from: $0.lowerBound, to: $0.upperBound, by: window) })
        let residentKB = ArenaResidencyTests.residentKB(ofMappingAt: base)
        let resident = try #require(residentKB)
        #expect(resident * 1024 <= windows.count * window, "resident \(resident) KiB, windows of in-place weights \(windows.count * window / 1024) KiB")
    }

    /// A real model: every scratch request of its kernels is served from its step's region.
    @Test("face_landmark's kernels take their scratch from the arena")
    func faceLandmarkScratch() throws {
        let graph = try IRReader.read(xmlPath: Fixtures.path("models/face_landmark/face_landmark.xml"))
        let model = try CompiledModel(graph: graph)
        #expect(model.plan.overlaps().isEmpty)
        #expect(model.scratchRegions.contains { $0 != nil })
        _ = try model.infer([FastKernelTests.random([1, 192, 192, 3], seed: 75, scale: 1)])
        #expect(model.runContext.regionMisses == 0)
        #expect(model.runContext.keptScratchBytes == 0)
        #expect(model.plan.arenaBytes == model.plan.peakLiveBytes)
    }
}
