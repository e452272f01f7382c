import Testing
import OVInterpreter
import _TestSupport

/// Compiles the builder's graph and runs it once.
func run(_ b: GraphBuilder, _ inputs: [Tensor] = [], referenceOnly: Bool = true) throws -> [Tensor] {
    try CompiledModel(graph: b.graph, options: CompileOptions(referenceKernelsOnly: referenceOnly, constantFolding: false)).infer(inputs)
}

/// Expects `t` to hold f32 `expected` (within tolerance) with `shape`.
func expectFloats(_ t: Tensor, _ expected: [Float], shape: [Int]? = nil, rtol: Float = 1e-5, atol: Float = 1e-6,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    if let shape { #expect(t.shape == shape, sourceLocation: sourceLocation) }
    #expect(t.elementType == .f32, sourceLocation: sourceLocation)
    let got = t.floatValues()
    #expect(got.count == expected.count, sourceLocation: sourceLocation)
    for (g, e) in zip(got, expected) where !(g.isNaN && e.isNaN) {
        #expect(abs(g - e) <= atol + rtol * abs(e), "got \(g), expected \(e)", sourceLocation: sourceLocation)
    }
}

/// Expects `t` to hold exactly `expected` as Int64 values (any integer or boolean type).
func expectInts(_ t: Tensor, _ expected: [Int64], shape: [Int]? = nil, type: ElementType? = nil,
                sourceLocation: SourceLocation = #_sourceLocation) {
    if let shape { #expect(t.shape == shape, sourceLocation: sourceLocation) }
    if let type { #expect(t.elementType == type, sourceLocation: sourceLocation) }
    #expect(t.int64Values() == expected, sourceLocation: sourceLocation)
}

/// Runs one op: the first `params` inputs are Parameters (fed at run time), the rest Consts.
func runSingleOp(_ type: String, _ inputs: [Tensor], _ attrs: [String: String] = [:], version: String = "opset13",
                 outputs: Int = 1, params: Int = 1) throws -> [Tensor] {
    let b = GraphBuilder()
    var refs: [OutputRef] = []
    for (i, t) in inputs.enumerated() {
        refs.append(i < params ? b.parameter("p\(i)", t.elementType, t.shape) : b.constant(t))
    }
    let n = b.node(type, refs, attributes: attrs, version: version, outputs: outputs)
    for k in 0..<outputs { b.result(n.output(k)) }
    return try run(b, Array(inputs.prefix(params)))
}
