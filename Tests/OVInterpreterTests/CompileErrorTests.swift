import Testing
import OVInterpreter
import _TestSupport

@Suite("Compile-time and input errors")
struct CompileErrorTests {
    private func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch { return String(describing: error) }
    }

    @Test func unknownOpFailsAtCompileNamingLayerTypeAndVersion() {
        let b = GraphBuilder()
        b.result(b.op("FancyOp", [b.parameter("x", .f32, [2])], version: "opset3", name: "my_fancy"))
        let text = message { _ = try CompiledModel(graph: b.graph) }
        #expect(text.contains("my_fancy") && text.contains("FancyOp") && text.contains("opset3"), "\(text)")
    }

    @Test func unsupportedVersionListsSupportedOnes() {
        let b = GraphBuilder()
        b.result(b.op("Gather", [b.parameter("x", .f32, [2]), b.constant(i64: [0]), b.constant(i64: [0], shape: [])],
                      version: "opset0", name: "old_gather"))
        let text = message { _ = try CompiledModel(graph: b.graph) }
        #expect(text.contains("old_gather") && text.contains("opset1"), "\(text)")
    }

    @Test func shapeMismatchFailsAtCompileNamingTheLayer() {
        let b = GraphBuilder()
        b.result(b.op("Add", [b.parameter("a", .f32, [2, 3]), b.parameter("b", .f32, [4])], version: "opset1", name: "bad_add"))
        let text = message { _ = try CompiledModel(graph: b.graph) }
        #expect(text.contains("bad_add") && text.contains("[2, 3]") && text.contains("[4]"), "\(text)")
    }

    @Test func wrongInputsAreNamed() throws {
        let b = GraphBuilder()
        b.result(b.op("ReLU", [b.parameter("pixels", .f32, [1, 3])], version: "opset1"))
        let model = try CompiledModel(graph: b.graph)
        let count = message { _ = try model.infer([]) }
        #expect(count.contains("1 input") && count.contains("pixels"), "\(count)")
        let type = message { _ = try model.infer([Tensor(shape: [1, 3], scalars: [Int32(1), 2, 3])]) }
        #expect(type.contains("pixels") && type.contains("f32") && type.contains("i32"), "\(type)")
        let shape = message { _ = try model.infer([Tensor(shape: [3], scalars: [Float(1), 2, 3])]) }
        #expect(shape.contains("pixels") && shape.contains("[1,3]") && shape.contains("[3]"), "\(shape)")
        let name = message { _ = try model.infer(named: ["pixel": Tensor(shape: [1, 3], scalars: [Float(1), 2, 3])]) }
        #expect(name.contains("pixel") && name.contains("pixels"), "\(name)")
        let ok = try model.infer(named: ["pixels": Tensor(shape: [1, 3], scalars: [Float(-1), 2, -3])])
        #expect(ok[0].floatValues() == [0, 2, 0])
    }
}
