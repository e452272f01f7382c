import Testing
@testable import OVInterpreter
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
