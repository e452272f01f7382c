import Testing
import OVInterpreter
import _TestSupport

/// Loop-5, TensorIterator-1 and If-8 with bodies built by GraphBuilder.
@Suite struct ControlFlowTests {
    private func entry(_ kind: String, _ external: Int, _ layer: OutputRef, _ extra: [String: String] = [:]) -> IRElement {
        entry(kind, external, layer.node, extra)
    }

    private func entry(_ kind: String, _ external: Int, _ layer: Node, _ extra: [String: String] = [:]) -> IRElement {
        IRElement(name: kind, attributes: [IRAttribute("external_port_id", String(external)), IRAttribute("internal_layer_id", String(layer.id))]
                  + extra.sorted { $0.key < $1.key }.map { IRAttribute($0.key, $0.value) })
    }

    private func backEdges(_ edges: [(Node, OutputRef)]) -> IRElement {
        IRElement(name: "back_edges", children: edges.map { r, p in
            IRElement(name: "edge", attributes: [IRAttribute("from-layer", String(r.id)), IRAttribute("to-layer", String(p.node.id))])
        })
    }

    /// Loop whose body computes `acc + x`, carrying acc; stops when `acc >= limit` (when given).
    /// Outputs: the last acc and every acc concatenated, plus the iteration numbers.
    private func accumulatingLoop(limit: Float?) -> GraphBuilder {
        let body = GraphBuilder(name: "body")
        let iter = body.parameter("iter", .i64, [1])
        let acc = body.parameter("acc", .f32, [1])
        let x = body.parameter("x", .f32, [1])
        let sum = body.op("Add", [acc, x])
        let accOut = body.result(sum), scanOut = body.result(sum), iterOut = body.result(iter)
        let cond = limit.map { body.op("Less", [sum, body.constant([$0], shape: [1])]) } ?? body.constant(Tensor(shape: [1], scalars: [true]))
        let condOut = body.result(cond)

        let b = GraphBuilder()
        let trip = b.parameter("trip", .i64, [])
        let go = b.parameter("go", .boolean, [])
        let acc0 = b.constant([1], shape: [1]), x0 = b.constant([2], shape: [1])
        let loop = b.node("Loop", [trip, go, acc0, x0], version: "opset5", outputs: 3)
        loop.bodies["body"] = body.graph
        loop.sections = [
            IRElement(name: "port_map", children: [
                entry("input", 2, acc), entry("input", 3, x),
                entry("output", 4, accOut),
                entry("output", 5, scanOut, ["axis": "0", "start": "0", "end": "-1", "stride": "1", "part_size": "1"]),
                entry("output", 6, iterOut, ["axis": "0"]),
                entry("input", -1, iter, ["purpose": "current_iteration"]),
                entry("output", -1, condOut, ["purpose": "execution_condition"]),
            ]),
            backEdges([(accOut, acc)]),
        ]
        for k in 0..<3 { b.result(loop.output(k)) }
        return b
    }

    @Test func loopRunsTripCountIterations() throws {
        let out = try run(accumulatingLoop(limit: nil), [Tensor(scalar: Int64(3)), Tensor(scalar: true)])
        expectFloats(out[0], [7], shape: [1])
        expectFloats(out[1], [3, 5, 7], shape: [3])
        expectInts(out[2], [0, 1, 2], shape: [3], type: .i64)
    }

    @Test func loopStopsOnBodyCondition() throws {
        // Unbounded trip count; 3 < 6 and 5 < 6 go on, 7 stops.
        let out = try run(accumulatingLoop(limit: 6), [Tensor(scalar: Int64(-1)), Tensor(scalar: true)])
        expectFloats(out[0], [7], shape: [1])
        expectFloats(out[1], [3, 5, 7], shape: [3])
    }

    @Test func loopWithFalseConditionKeepsInitialValues() throws {
        let out = try run(accumulatingLoop(limit: nil), [Tensor(scalar: Int64(5)), Tensor(scalar: false)])
        expectFloats(out[0], [1], shape: [1])
        #expect(out[1].shape == [0])
    }

    @Test func loopCarriedValueMayGrow() throws {
        // acc = concat(acc, x) three times: the body Parameter declared [1] receives [2], then [3].
        let body = GraphBuilder(name: "body")
        let acc = body.parameter("acc", .f32, [1]), x = body.parameter("x", .f32, [1])
        let accOut = body.result(body.op("Concat", [acc, x], ["axis": "0"]))
        let condOut = body.result(body.constant(Tensor(shape: [1], scalars: [true])))
        let b = GraphBuilder()
        let loop = b.node("Loop", [b.constant(i64: [3], shape: []), b.constant(Tensor(scalar: true)),
                                   b.constant([1], shape: [1]), b.constant([2], shape: [1])], version: "opset5")
        loop.bodies["body"] = body.graph
        loop.sections = [
            IRElement(name: "port_map", children: [
                entry("input", 2, acc), entry("input", 3, x), entry("output", 4, accOut),
                entry("output", -1, condOut, ["purpose": "execution_condition"]),
            ]),
            backEdges([(accOut, acc)]),
        ]
        b.result(loop.output(0))
        expectFloats(try run(b)[0], [1, 2, 2, 2], shape: [4])
    }

    /// TensorIterator over `x [1, 3, 1]` along axis 1: h = h + x_t, output every h (axis 1) and the last.
    private func runningSum(stride: Int) throws -> [Tensor] {
        let body = GraphBuilder(name: "body")
        let xt = body.parameter("xt", .f32, [1, 1, 1])
        let h = body.parameter("h", .f32, [1, 1, 1])
        let sum = body.op("Add", [h, xt])
        let hOut = body.result(sum), yOut = body.result(sum)

        let b = GraphBuilder()
        let x = b.parameter("x", .f32, [1, 3, 1])
        let h0 = b.constant([10], shape: [1, 1, 1])
        let ti = b.node("TensorIterator", [x, h0], version: "opset1", outputs: 2)
        let slicing = stride > 0 ? ["axis": "1", "start": "0", "end": "-1", "stride": "1", "part_size": "1"]
                                 : ["axis": "1", "start": "-1", "end": "0", "stride": "-1", "part_size": "1"]
        ti.bodies["body"] = body.graph
        ti.sections = [
            IRElement(name: "port_map", children: [
                entry("input", 0, xt, slicing), entry("input", 1, h),
                entry("output", 2, yOut, slicing), entry("output", 3, hOut),
            ]),
            backEdges([(hOut, h)]),
        ]
        b.result(ti.output(0)); b.result(ti.output(1))
        return try run(b, [Tensor(shape: [1, 3, 1], scalars: [1, 2, 3])])
    }

    @Test func tensorIteratorSlicesAndConcatenates() throws {
        let out = try runningSum(stride: 1)
        expectFloats(out[0], [11, 13, 16], shape: [1, 3, 1])
        expectFloats(out[1], [16], shape: [1, 1, 1])
    }

    @Test func tensorIteratorNegativeStrideRunsBackwards() throws {
        // Reads 3, 2, 1 and writes each result back at the position it read.
        let out = try runningSum(stride: -1)
        expectFloats(out[0], [16, 15, 13], shape: [1, 3, 1])
        expectFloats(out[1], [16], shape: [1, 1, 1])
    }

    private func ifGraph() -> GraphBuilder {
        func branch(_ op: String) -> (GraphBuilder, OutputRef, OutputRef, Node) {
            let g = GraphBuilder(name: op)
            let a = g.parameter("a", .f32, [2]), c = g.parameter("c", .f32, [2])
            return (g, a, c, g.result(g.op(op, [a, c])))
        }
        let (thenG, ta, tc, tr) = branch("Add")
        let (elseG, ea, ec, er) = branch("Multiply")
        let b = GraphBuilder()
        let cond = b.parameter("cond", .boolean, [])
        let a = b.constant([2, 3], shape: [2]), c = b.constant([4, 5], shape: [2])
        let node = b.node("If", [cond, a, c], version: "opset8")
        node.bodies = ["then_body": thenG.graph, "else_body": elseG.graph]
        node.sections = [
            IRElement(name: "then_port_map", children: [entry("input", 1, ta), entry("input", 2, tc), entry("output", 3, tr)]),
            IRElement(name: "else_port_map", children: [entry("input", 2, ea), entry("input", 1, ec), entry("output", 3, er)]),
        ]
        b.result(node.output(0))
        return b
    }

    @Test func ifRunsTheChosenBranch() throws {
        expectFloats(try run(ifGraph(), [Tensor(scalar: true)])[0], [6, 8], shape: [2])
        expectFloats(try run(ifGraph(), [Tensor(scalar: false)])[0], [8, 15], shape: [2])
    }

    @Test func missingPortMapIsAnError() throws {
        let b = ifGraph()
        b.graph.nodes.first { $0.type == "If" }!.sections.removeAll()
        #expect(throws: OVIRError.self) { try run(b, [Tensor(scalar: true)]) }
    }
}
