import Testing
import OVInterpreter
import _TestSupport

/// Convolution + bias Add (+ PReLU) fused into the convolution's output pass: results equal to the
/// reference kernels, chains that must not fuse stay unfused, and observers still see the
/// convolution's and the Add's outputs.
@Suite("Fast kernels: conv + bias + PReLU fusion")
struct FastFusionTests {
    let random = FastKernelTests.random

    /// Builds `x → conv → Add(bias) [→ PReLU(slope)]`; returns the graph.
    static func chain(x: [Int], w: Tensor, grouped: Bool, attrs: [String: String], bias: Tensor, biasFirst: Bool = false,
                      slope: Tensor?) -> Graph {
        let g = GraphBuilder()
        let p = g.parameter("x", .f32, x)
        let conv = g.op(grouped ? "GroupConvolution" : "Convolution", [p, g.constant(w)], attrs, version: "opset1", name: "conv")
        let b = g.constant(bias)
        let add = g.op("Add", biasFirst ? [b, conv] : [conv, b], ["auto_broadcast": "numpy"], version: "opset1", name: "add")
        if let slope {
            g.result(g.op("PReLU", [add, g.constant(slope)], [:], version: "opset1", name: "prelu"))
        } else {
            g.result(add)
        }
        return g.graph
    }

    static func expectSame(_ a: [Float], _ b: [Float], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        let bad = zip(a, b).filter { !(abs($0 - $1) <= 1e-5 + 1e-4 * abs($0)) }.count
        #expect(bad == 0, "\(what): \(bad) of \(a.count) values differ", sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        // (input, weights, grouped, attrs, bias shape, bias first, slope shape or nil)
        ([1, 6, 13, 17], [6, 1, 1, 5, 5], true, FastKernelTests.convAttrs("1,1", "2,2", dil: "1,1"), [1, 6, 1, 1], false, [6] as [Int]?),
        ([2, 5, 12, 12], [5, 1, 1, 3, 3], true, FastKernelTests.convAttrs("2,2", "0,0", "1,1", dil: "1,1"), [5, 1, 1], true, [1]),
        ([1, 4, 9, 40], [4, 1, 1, 3, 3], true, FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1"), [1, 4, 1, 1], false, nil),
        ([1, 5, 9, 11], [7, 5, 1, 1], false, FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1"), [1, 7, 1, 1], false, [1, 7, 1, 1]),
        ([2, 3, 10, 13], [8, 3, 3, 3], false, FastKernelTests.convAttrs("2,2", "1,1", dil: "1,1"), [1, 8, 1, 1], true, [8]),
        ([1, 64, 30, 30], [24, 64, 3, 3], false, FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1"), [1, 24, 1, 1], false, [24]),
        // SmallGemm epilogues in registers: one shared slope, bias only, rows not a multiple of 4.
        ([1, 16, 10, 11], [18, 16, 1, 1], false, FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1"), [1, 18, 1, 1], false, [1]),
        ([1, 16, 10, 11], [18, 16, 1, 1], false, FastKernelTests.convAttrs("1,1", "0,0", dil: "1,1"), [1, 18, 1, 1], true, nil),
        ([1, 3, 20, 20], [17, 3, 3, 3], false, FastKernelTests.convAttrs("2,2", "0,0", "1,1", dil: "1,1"), [1, 17, 1, 1], false, [17]),
    ])
    func fusedChainMatchesReference(_ x: [Int], _ w: [Int], _ grouped: Bool, _ attrs: [String: String], _ biasShape: [Int],
                                    _ biasFirst: Bool, _ slopeShape: [Int]?) throws {
        let wt = random(w, 31, 1 / Float(w.dropFirst().reduce(1, *)).squareRoot())
        let graph = Self.chain(x: x, w: wt, grouped: grouped, attrs: attrs, bias: random(biasShape, 32, 1), biasFirst: biasFirst,
                               slope: slopeShape.map { random($0, 33, 0.5) })
        let input = random(x, 34, 1)
        let reference = try CompiledModel(graph: graph, options: CompileOptions(referenceKernelsOnly: true)).infer([input])[0]
        for threads in [1, 3] {
            let fast = try CompiledModel(graph: graph, options: CompileOptions(threads: threads))
            #expect(fast.fusedConvolutions["conv"] == (slopeShape == nil ? "Add" : "Add+PReLU"))
            Self.expectSame(reference.floatValues(), try fast.infer([input])[0].floatValues(), "threads \(threads)")
        }
    }

    @Test func observersSeeEveryIntermediateOutput() throws {
        let wt = random([6, 1, 1, 5, 5], 35, 0.2)
        let graph = Self.chain(x: [1, 6, 13, 17], w: wt, grouped: true, attrs: FastKernelTests.convAttrs("1,1", "2,2", dil: "1,1"),
                               bias: random([1, 6, 1, 1], 36, 1), slope: random([6], 37, 0.5))
        let input = random([1, 6, 13, 17], 38, 1)
        let ref = try CompiledModel(graph: graph, options: CompileOptions(referenceKernelsOnly: true))
        let fast = try CompiledModel(graph: graph)
        #expect(fast.fusedConvolutions["conv"] == "Add+PReLU")
        for watched in [["conv"], ["add"], ["conv", "add", "prelu"], ["prelu"]] {
            func observe(_ m: CompiledModel) throws -> ([[Float]], [Float]) {
                let handles = watched.map { m.observable(node: $0)! }
                var seen = [[Float]](repeating: [], count: watched.count)
                let out = try m.infer([input], observing: handles) { k, t in seen[k] = t.floatValues() }
                return (seen, out[0].floatValues())
            }
            let (refSeen, refOut) = try observe(ref)
            let (fastSeen, fastOut) = try observe(fast)
            for (k, name) in watched.enumerated() {
                #expect(!fastSeen[k].isEmpty, "observer did not see \(name)")
                Self.expectSame(refSeen[k], fastSeen[k], "observed \(name)")
            }
            Self.expectSame(refOut, fastOut, "output while watching \(watched)")
        }
    }

    /// The convolution's input is an intermediate tensor that dies at the convolution: the fused
    /// output (written during the convolution) must not share arena bytes with it. (The first
    /// convolution has stride 2: its input is 4x its output, so a plan that took the fused output
    /// as born at the PReLU step would place it inside the input's bytes.)
    @Test func fusedOutputDoesNotOverlapTheConvolutionInput() throws {
        let g = GraphBuilder()
        let p = g.parameter("x", .f32, [1, 8, 20, 20])
        var t = g.op("Relu", [p], [:], version: "opset1", name: "pre")
        for k in 0..<3 {
            let conv = g.op("GroupConvolution", [t, g.constant(random([8, 1, 1, 5, 5], UInt64(50 + k), 0.2))],
                            FastKernelTests.convAttrs(k == 0 ? "2,2" : "1,1", "2,2", dil: "1,1"), version: "opset1", name: "conv\(k)")
            let add = g.op("Add", [conv, g.constant(random([1, 8, 1, 1], UInt64(60 + k), 1))], ["auto_broadcast": "numpy"],
                           version: "opset1", name: "add\(k)")
            t = g.op("PReLU", [add, g.constant(random([8], UInt64(70 + k), 0.5))], [:], version: "opset1", name: "prelu\(k)")
        }
        g.result(g.op("Relu", [t], [:], version: "opset1", name: "post"))
        let input = random([1, 8, 20, 20], 80, 1)
        let reference = try CompiledModel(graph: g.graph, options: CompileOptions(referenceKernelsOnly: true)).infer([input])[0]
        let fast = try CompiledModel(graph: g.graph)
        #expect(fast.fusedConvolutions.count == 3)
        for _ in 0..<2 { Self.expectSame(reference.floatValues(), try fast.infer([input])[0].floatValues(), "fused chain of 3") }
    }

    @Test func chainsThatMustNotFuse() throws {
        let wt = random([4, 1, 1, 3, 3], 39, 0.3)
        let attrs = FastKernelTests.convAttrs("1,1", "1,1", dil: "1,1")
        // Bias not per channel ([1, 1, 1, W] broadcasts along the width).
        let g1 = Self.chain(x: [1, 4, 8, 8], w: wt, grouped: true, attrs: attrs, bias: random([1, 1, 1, 8], 40, 1), slope: nil)
        #expect(try CompiledModel(graph: g1).fusedConvolutions.isEmpty)
        // The convolution's output also read elsewhere (a second Result).
        let g = GraphBuilder()
        let p = g.parameter("x", .f32, [1, 4, 8, 8])
        let conv = g.op("GroupConvolution", [p, g.constant(wt)], attrs, version: "opset1", name: "conv")
        g.result(g.op("Add", [conv, g.constant(random([1, 4, 1, 1], 41, 1))], ["auto_broadcast": "numpy"], version: "opset1", name: "add"))
        g.result(conv)
        let m = try CompiledModel(graph: g.graph)
        #expect(m.fusedConvolutions.isEmpty)
        // Reference mode never fuses.
        let g3 = Self.chain(x: [1, 4, 8, 8], w: wt, grouped: true, attrs: attrs, bias: random([1, 4, 1, 1], 42, 1), slope: random([4], 43, 1))
        #expect(try CompiledModel(graph: g3, options: CompileOptions(referenceKernelsOnly: true)).fusedConvolutions.isEmpty)
        #expect(try CompiledModel(graph: g3).fusedConvolutions["conv"] == "Add+PReLU")
    }
}
