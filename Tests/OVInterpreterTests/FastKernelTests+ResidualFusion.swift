import Foundation
import Testing
@testable import OVInterpreter
import _TestSupport

/// Convolution + bias Add + residual Add + activation fused into the convolution's output pass
/// (MediaPipe's `conv → Add(bias) → Add(x) → PReLU` blocks, MobileNet's `conv → Add(bias) → Clamp`):
/// bit-identical to the same model run unfused (`fuseConvolutions = false`), close to the reference
/// kernels, observers of absorbed tensors force the unfused path, and chains that must not fuse don't.
@Suite("Fast kernels: residual Add + activation fusion")
struct ResidualFusionTests {
    let random = FastKernelTests.random

    enum Act: String, CustomStringConvertible, Sendable {
        /// `relu` is spelled as OpenVINO's IR serializer writes it (`ReLU`), `reluCode` as the runtime's
        /// class name (`Relu`), which graphs built in code may use: both must fuse.
        case none, prelu, preluScalar, relu, reluCode, clamp
        var description: String { rawValue }
    }

    /// `x → pre (Relu) → conv → Add(bias) → Add(residual) → act → Multiply(2)`; the residual is `pre`'s output
    /// when the convolution keeps its shape, else a second parameter `r`. `residualFirst` swaps the
    /// residual Add's inputs.
    static func block(x: [Int], w: Tensor, grouped: Bool, attrs: [String: String], out: [Int], act: Act,
                      residualFirst: Bool, random: (([Int], UInt64, Float) -> Tensor)) -> Graph {
        let g = GraphBuilder()
        let p = g.parameter("x", .f32, x)
        let pre = g.op("Relu", [p], [:], version: "opset1", name: "pre")
        let residual = x == out ? pre : g.parameter("r", .f32, out)
        let conv = g.op(grouped ? "GroupConvolution" : "Convolution", [pre, g.constant(w)], attrs, version: "opset1", name: "conv")
        let c = out[1]
        let biased = g.op("Add", [conv, g.constant(random([1, c, 1, 1], 90, 1))], ["auto_broadcast": "numpy"], version: "opset1", name: "bias")
        let sum = g.op("Add", residualFirst ? [residual, biased] : [biased, residual], ["auto_broadcast": "numpy"],
                       version: "opset1", name: "residual")
        let y: OutputRef
        switch act {
        case .none: y = sum
        case .prelu: y = g.op("PReLU", [sum, g.constant(random([c], 91, 0.5))], [:], version: "opset1", name: "act")
        case .preluScalar: y = g.op("PReLU", [sum, g.constant(random([1], 92, 0.5))], [:], version: "opset1", name: "act")
        case .relu: y = g.op("ReLU", [sum], [:], version: "opset1", name: "act")
        case .reluCode: y = g.op("Relu", [sum], [:], version: "opset1", name: "act")
        case .clamp: y = g.op("Clamp", [sum], ["min": "-0.5", "max": "1.25"], version: "opset1", name: "act")
        }
        // A reader after the block that is never absorbed (times 2: exact).
        g.result(g.op("Multiply", [y, g.constant(Tensor(shape: [1], scalars: [Float(2)]))], ["auto_broadcast": "numpy"],
                      version: "opset1", name: "post"))
        return g.graph
    }

    static func bits(_ t: Tensor) -> [UInt32] { t.floatValues().map(\.bitPattern) }

    static var unfused: CompileOptions {
        var o = CompileOptions()
        o.fuseConvolutions = false
        return o
    }

    typealias Case = (x: [Int], w: [Int], grouped: Bool, attrs: [String: String], out: [Int])
    static let cases: [Case] = [
        // (input, weights, grouped, attrs, output)
        // Depthwise 5x5 and 3x3 (rows with 32/16/8-column passes and a tail shorter than 8).
        ([1, 6, 13, 43], [6, 1, 1, 5, 5], true, FastKernelTests.convAttrs("1,1", "2,2", dil: "1,1"), [1, 6, 13, 43]),
        ([2, 5, 7, 7], [5, 1, 1, 3, 3], true, FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1"), [2, 5, 7, 7]),
        // Depthwise on small planes with more than eight channels (channel-interleaved blocks + the rest plane by plane).
        ([2, 12, 5, 7], [12, 1, 1, 3, 3], true, FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1"), [2, 12, 5, 7]),
        // 1x1 on SmallGemm: rows not a multiple of 4, columns not a multiple of 8 (overlapping last panel).
        ([1, 18, 10, 11], [18, 18, 1, 1], false, FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1"), [1, 18, 10, 11]),
        ([1, 16, 48, 48], [16, 16, 1, 1], false, FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1"), [1, 16, 48, 48]),
        // 323 columns: rows finished in batches of >= 256 columns, then the overlapping last panel
        // rewrites finished columns (they must be finished again, exactly once).
        ([1, 16, 17, 19], [16, 16, 1, 1], false, FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1"), [1, 16, 17, 19]),
        // Fewer than 8 columns (scalar SmallGemm) and one column (matrix-vector path).
        ([1, 12, 2, 3], [12, 12, 1, 1], false, FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1"), [1, 12, 2, 3]),
        ([1, 40, 3, 3], [9, 40, 3, 3], false, FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1"), [1, 9, 1, 1]),
        // K = 64·9 > 160: the packed GEMM on a padded grid, epilogue on the copy out of the grid.
        ([1, 64, 14, 14], [64, 64, 3, 3], false, FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1"), [1, 64, 14, 14]),
        // 1x1 with K = 192 > 160: the packed GEMM writing the output directly (bias in registers there).
        ([1, 192, 7, 9], [20, 192, 1, 1], false, FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1"), [1, 20, 7, 9]),
        // Stride 2 with a separate residual input.
        ([1, 8, 20, 20], [12, 8, 3, 3], false, FastKernelTests.convAttrs("2,2", "1,1", dil: "1,1"), [1, 12, 10, 10]),
        ]

    @Test(arguments: cases, [Act.prelu, .preluScalar, .relu, .reluCode, .clamp, .none])
    func fusedBlockIsBitIdenticalToUnfused(_ k: Case, _ act: Act) throws {
        let (x, w, grouped, attrs, out) = (k.x, k.w, k.grouped, k.attrs, k.out)
        let wt = random(w, 93, 1 / Float(w.dropFirst().reduce(1, *)).squareRoot())
        for residualFirst in [false, true] {
            let graph = Self.block(x: x, w: wt, grouped: grouped, attrs: attrs, out: out, act: act, residualFirst: residualFirst,
                                   random: { random($0, $1, $2) })
            var inputs = [random(x, 94, 1)]
            if x != out { inputs.append(random(out, 95, 1)) }
            let reference = try CompiledModel(graph: graph, options: CompileOptions(referenceKernelsOnly: true)).infer(inputs)[0]
            let unfused = try CompiledModel(graph: graph, options: Self.unfused)
            #expect(unfused.fusedConvolutions.isEmpty)
            let expected = try unfused.infer(inputs)[0]
            FastFusionTests.expectSame(reference.floatValues(), expected.floatValues(), "unfused vs reference")
            let label = ["Add", "Add"] + (act == .none ? [] : [act == .relu ? "ReLU" : act == .reluCode ? "Relu" : act == .clamp ? "Clamp" : "PReLU"])
            for threads in [1, 3] {
                var o = CompileOptions(threads: threads)
                o.fuseConvolutions = true
                let fast = try CompiledModel(graph: graph, options: o)
                #expect(fast.fusedConvolutions["conv"] == label.joined(separator: "+"))
                for run in 0..<2 {
                    let got = try fast.infer(inputs)[0]
                    let differ = zip(Self.bits(got), Self.bits(expected)).filter { $0 != $1 }.count
                    #expect(differ == 0, "threads \(threads) run \(run) residual first \(residualFirst): \(differ) of \(got.count) values differ from the unfused run")
                }
            }
        }
    }

    /// POT's INT8 form of the block: `conv → Add(bias) → FakeQuantize → Add(residual) → PReLU →
    /// FakeQuantize` (per-tensor ranges; 256 and 255 levels, inverted input range on the second).
    @Test(arguments: cases)
    func quantizedBlockIsBitIdenticalToUnfused(_ k: Case) throws {
        let wt = random(k.w, 102, 1 / Float(k.w.dropFirst().reduce(1, *)).squareRoot())
        func fq(_ x: OutputRef, _ g: GraphBuilder, _ r: [Float], _ levels: Int, _ name: String) -> OutputRef {
            g.op("FakeQuantize", [x] + r.map { g.constant(Tensor(shape: [1, 1, 1, 1], scalars: [$0])) },
                 ["levels": "\(levels)", "auto_broadcast": "numpy"], version: "opset1", name: name)
        }
        let g = GraphBuilder()
        let p = g.parameter("x", .f32, k.x)
        let residual = k.x == k.out ? p : g.parameter("r", .f32, k.out)
        let conv = g.op(k.grouped ? "GroupConvolution" : "Convolution", [p, g.constant(wt)], k.attrs, version: "opset1", name: "conv")
        let biased = g.op("Add", [conv, g.constant(random([1, k.out[1], 1, 1], 103, 1))], ["auto_broadcast": "numpy"],
                          version: "opset1", name: "bias")
        let q1 = fq(biased, g, [-1.5, 2.0, -1.5, 2.0], 256, "fq1")
        let sum = g.op("Add", [residual, q1], ["auto_broadcast": "numpy"], version: "opset1", name: "residual")
        let act = g.op("PReLU", [sum, g.constant(random([k.out[1]], 104, 0.5))], [:], version: "opset1", name: "act")
        g.result(fq(act, g, [3.0, -2.5, -1.0, 1.0], 255, "fq2"))
        var inputs = [random(k.x, 105, 1)]
        if k.x != k.out { inputs.append(random(k.out, 106, 1)) }
        let expected = try CompiledModel(graph: g.graph, options: Self.unfused).infer(inputs)[0]
        let reference = try CompiledModel(graph: g.graph, options: CompileOptions(referenceKernelsOnly: true)).infer(inputs)[0]
        // Quantized outputs: a last-bit difference in the convolution's sum may move a value across a
        // rounding boundary (one level), so the unfused fast run is compared with the reference loosely.
        let far = zip(reference.floatValues(), expected.floatValues()).filter { abs($0 - $1) > 0.05 }.count
        #expect(far <= expected.count / 50, "\(far) of \(expected.count) values more than a level from the reference")
        for threads in [1, 3] {
            let fast = try CompiledModel(graph: g.graph, options: CompileOptions(threads: threads))
            #expect(fast.fusedConvolutions["conv"] == "Add+FakeQuantize+Add+PReLU+FakeQuantize")
            let got = try fast.infer(inputs)[0]
            let differ = zip(Self.bits(got), Self.bits(expected)).filter { $0 != $1 }.count
            #expect(differ == 0, "threads \(threads): \(differ) of \(got.count) values differ from the unfused run")
        }
    }

    /// A downsampling block in POT's INT8 form whose shortcut (MaxPool → Pad of the channels) comes
    /// after the convolution's chain in the graph's order: `conv → Add(bias) → FQ`, then `Pad`, then
    /// `Add(·, Pad) → PReLU → FQ`. The shortcut steps move before the convolution, the residual Add,
    /// PReLU and FakeQuantize fuse, and the outputs stay bit-identical to the unfused run; observers
    /// of the shortcut or of absorbed tensors still see their values.
    @Test func shortcutAfterTheConvolutionIsHoistedAndFused() throws {
        func fq(_ x: OutputRef, _ g: GraphBuilder, _ r: [Float], _ name: String) -> OutputRef {
            g.op("FakeQuantize", [x] + r.map { g.constant(Tensor(shape: [], scalars: [$0])) },
                 ["levels": "256", "auto_broadcast": "numpy"], version: "opset1", name: name)
        }
        func i64(_ v: [Int64]) -> Tensor { Tensor(shape: [v.count], scalars: v) }
        let g = GraphBuilder()
        let p = g.parameter("x", .f32, [1, 8, 14, 18])
        let pool = g.op("MaxPool", [p], ["kernel": "2,2", "strides": "2,2", "pads_begin": "0,0", "pads_end": "0,0",
                                         "rounding_type": "floor"], version: "opset1", name: "pool")
        let conv = g.op("Convolution", [pool, g.constant(random([16, 8, 1, 1], 107, 0.4))],
                        FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1"), version: "opset1", name: "conv")
        let biased = g.op("Add", [conv, g.constant(random([1, 16, 1, 1], 108, 1))], ["auto_broadcast": "numpy"],
                          version: "opset1", name: "bias")
        let q1 = fq(biased, g, [-2.0, 2.0, -2.0, 2.0], "fq1")
        let shortcut = g.op("Pad", [pool, g.constant(i64([0, 0, 0, 0])), g.constant(i64([0, 8, 0, 0]))],
                            ["pad_mode": "constant"], version: "opset1", name: "shortcut")
        let sum = g.op("Add", [q1, shortcut], ["auto_broadcast": "numpy"], version: "opset1", name: "residual")
        let act = g.op("PReLU", [sum, g.constant(random([16], 109, 0.5))], [:], version: "opset1", name: "act")
        g.result(fq(act, g, [-3.0, 3.0, -3.0, 3.0], "fq2"))
        let input = random([1, 8, 14, 18], 110, 1.5)
        let unfused = try CompiledModel(graph: g.graph, options: Self.unfused)
        let expected = try unfused.infer([input])[0]
        let reference = try CompiledModel(graph: g.graph, options: CompileOptions(referenceKernelsOnly: true)).infer([input])[0]
        let far = zip(reference.floatValues(), expected.floatValues()).filter { abs($0 - $1) > 0.03 }.count
        #expect(far <= expected.count / 50, "\(far) of \(expected.count) values more than a level from the reference")
        // The graph's own order runs the shortcut after the convolution's chain.
        let order = try g.graph.topologicalOrder().map(\.name)
        #expect(order.firstIndex(of: "shortcut")! > order.firstIndex(of: "fq1")!)
        for threads in [1, 2] {
            let fast = try CompiledModel(graph: g.graph, options: CompileOptions(threads: threads))
            #expect(fast.fusedConvolutions["conv"] == "Add+FakeQuantize+Add+PReLU+FakeQuantize")
            #expect(Self.bits(try fast.infer([input])[0]) == Self.bits(expected), "threads \(threads)")
        }
        let fast = try CompiledModel(graph: g.graph)
        try expectObservedRunsMatch(unfused: unfused, fast: fast, input: input, watching: [["shortcut"], ["fq1"], ["residual", "pool"]])
    }

    /// Values where the activations' edge cases matter: -0, +0, exact clamp bounds and NaN.
    @Test(arguments: [Act.relu, .clamp, .prelu])
    func edgeValuesMatchUnfused(_ act: Act) throws {
        // 1x1 identity weights with a zero bias: conv output = input, so chosen values reach the epilogue.
        let c = 4, hw = [3, 9]
        var w = [Float](repeating: 0, count: c * c)
        for k in 0..<c { w[k * c + k] = 1 }
        let g = GraphBuilder()
        let p = g.parameter("x", .f32, [1, c] + hw)
        let r = g.parameter("r", .f32, [1, c] + hw)
        let conv = g.op("Convolution", [p, g.constant(Tensor(shape: [c, c, 1, 1], scalars: w))],
                        FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1"), version: "opset1", name: "conv")
        let biased = g.op("Add", [conv, g.constant(Tensor(shape: [1, c, 1, 1], scalars: [0, -0.0, 0.5, -1] as [Float]))],
                          ["auto_broadcast": "numpy"], version: "opset1", name: "bias")
        let sum = g.op("Add", [biased, r], ["auto_broadcast": "numpy"], version: "opset1", name: "residual")
        let y: OutputRef
        switch act {
        case .relu: y = g.op("Relu", [sum], [:], version: "opset1", name: "act")
        case .clamp: y = g.op("Clamp", [sum], ["min": "-0.5", "max": "1.25"], version: "opset1", name: "act")
        default: y = g.op("PReLU", [sum, g.constant(Tensor(shape: [c], scalars: [0.25, -2, 0, 1] as [Float]))], [:], version: "opset1", name: "act")
        }
        g.result(y)
        let n = c * hw.reduce(1, *)
        let special: [Float] = [0, -0.0, .nan, -.nan, .infinity, -.infinity, -0.5, 1.25, 0.75, -0.75, Float(bitPattern: 0x0001_16C2), -Float(bitPattern: 0x0001_16C2)]
        let xs = (0..<n).map { special[$0 % special.count] }
        let rs = (0..<n).map { special[($0 * 7 + 3) % special.count] }
        let inputs = [Tensor(shape: [1, c] + hw, scalars: xs), Tensor(shape: [1, c] + hw, scalars: rs)]
        let expected = try CompiledModel(graph: g.graph, options: Self.unfused).infer(inputs)[0]
        let fast = try CompiledModel(graph: g.graph)
        #expect(fast.fusedConvolutions["conv"]?.hasPrefix("Add+Add+") == true)
        #expect(Self.bits(try fast.infer(inputs)[0]) == Self.bits(expected))
    }

    /// Observers of the convolution's, the bias Add's or the residual Add's output run the chain
    /// unfused and see the unfused values; observers of the residual input or the block's output
    /// keep the fused run.
    @Test func observersOfAbsorbedTensorsRunUnfused() throws {
        let wt = random([6, 1, 1, 3, 3], 96, 0.3)
        let graph = Self.block(x: [1, 6, 9, 19], w: wt, grouped: true, attrs: FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1"),
                               out: [1, 6, 9, 19], act: .prelu, residualFirst: false, random: { random($0, $1, $2) })
        let input = random([1, 6, 9, 19], 97, 1)
        let unfused = try CompiledModel(graph: graph, options: Self.unfused)
        let fast = try CompiledModel(graph: graph)
        #expect(fast.fusedConvolutions["conv"] == "Add+Add+PReLU")
        try expectObservedRunsMatch(unfused: unfused, fast: fast, input: input,
                                    watching: [["conv"], ["bias"], ["residual"], ["pre"], ["act"], ["pre", "conv", "bias", "residual", "act"]])
    }

    @Test func chainsThatMustNotAbsorbTheResidual() throws {
        let attrs = FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1")
        let wt = random([4, 4, 1, 1], 98, 0.5)
        func build(_ residualShape: [Int], extraReader: Bool, secondReader: Bool = false) -> Graph {
            let g = GraphBuilder()
            let p = g.parameter("x", .f32, [1, 4, 5, 6])
            let r = g.parameter("r", .f32, residualShape)
            let conv = g.op("Convolution", [p, g.constant(wt)], attrs, version: "opset1", name: "conv")
            let biased = g.op("Add", [conv, g.constant(random([1, 4, 1, 1], 99, 1))], ["auto_broadcast": "numpy"], version: "opset1", name: "bias")
            let sum = g.op("Add", [biased, r], ["auto_broadcast": "numpy"], version: "opset1", name: "residual")
            g.result(g.op("Relu", [sum], [:], version: "opset1", name: "act"))
            if extraReader { g.result(biased) }
            if secondReader { g.result(sum) }
            return g.graph
        }
        // A broadcast residual ([1, 4, 1, 6]) is not absorbed: conv + bias only.
        #expect(try CompiledModel(graph: build([1, 4, 1, 6], extraReader: false)).fusedConvolutions["conv"] == "Add")
        // The bias Add's output is also a model output: nothing after it is absorbed.
        #expect(try CompiledModel(graph: build([1, 4, 5, 6], extraReader: true)).fusedConvolutions["conv"] == "Add")
        // The residual Add's output has a second reader: the activation is not absorbed.
        #expect(try CompiledModel(graph: build([1, 4, 5, 6], extraReader: false, secondReader: true)).fusedConvolutions["conv"] == "Add+Add")
        let full = try CompiledModel(graph: build([1, 4, 5, 6], extraReader: false))
        #expect(full.fusedConvolutions["conv"] == "Add+Add+Relu")
        let inputs = [random([1, 4, 5, 6], 100, 1), random([1, 4, 5, 6], 101, 1)]
        let g2 = build([1, 4, 5, 6], extraReader: false, secondReader: true)
        let twoOut = try CompiledModel(graph: g2).infer(inputs)
        let twoRef = try CompiledModel(graph: g2, options: Self.unfused).infer(inputs)
        #expect(twoOut.map(Self.bits) == twoRef.map(Self.bits))
    }

    /// The MediaPipe models of fixtures/models: every residual block fuses, and the outputs are
    /// bit-identical to the unfused run (which ModelTests checks against OpenVINO).
    @Test(arguments: ["face_landmark", "palm_detection_lite", "face_landmark/pot/face_landmark_int8", "palm_detection_lite/pot/palm_detection_lite_int8"])
    func mediapipeModelsFuseBitIdentically(_ path: String) throws {
        let name = String(path.split(separator: "/")[0])
        let dir = Fixtures.url("models/\(name)")
        let xml = path.contains("/") ? Fixtures.url("models/\(path).xml") : dir.appendingPathComponent("\(name).xml")
        let graph = try IRReader.read(xmlPath: xml.path)
        let fused = try CompiledModel(graph: graph)
        let unfused = try CompiledModel(graph: graph, options: Self.unfused)
        let labels = Array(fused.fusedConvolutions.values)
        let residualBlocks = labels.filter { $0.contains("Add+Add") || $0.contains("FakeQuantize+Add") }.count
        // Every block (face 20, palm 23), also the downsampling blocks of the INT8 IRs whose shortcut
        // (MaxPool → Pad) the file order schedules after the convolution (hoisted before it).
        #expect(residualBlocks == (name == "face_landmark" ? 20 : 23), "\(path): \(residualBlocks) residual blocks fused; labels \(labels)")
        for s in 0..<2 {
            let input = try Tensor(npyFile: dir.appendingPathComponent("pot/in_\(s).npy"))
            let a = try fused.infer([input]), b = try unfused.infer([input])
            #expect(a.map(Self.bits) == b.map(Self.bits), "\(path) sample \(s)")
        }
    }
}

/// For each set of watched nodes: the fused model's observers and output are bit-identical to the
/// unfused model's (watching a fused chain's tensor makes the fast model run that chain unfused).
func expectObservedRunsMatch(unfused: CompiledModel, fast: CompiledModel, input: Tensor, watching sets: [[String]]) throws {
    for watched in sets {
        func observe(_ m: CompiledModel) throws -> ([[UInt32]], [UInt32]) {
            let handles = watched.map { m.observable(node: $0)! }
            var seen = [[UInt32]](repeating: [], count: watched.count)
            let out = try m.infer([input], observing: handles) { k, t in seen[k] = t.floatValues().map(\.bitPattern) }
            return (seen, out[0].floatValues().map(\.bitPattern))
        }
        let (refSeen, refOut) = try observe(unfused)
        let (fastSeen, fastOut) = try observe(fast)
        for (k, name) in watched.enumerated() {
            #expect(!fastSeen[k].isEmpty, "observer did not see \(name)")
            #expect(refSeen[k] == fastSeen[k], "observed \(name) while watching \(watched)")
        }
        #expect(refOut == fastOut, "output while watching \(watched)")
    }
}
