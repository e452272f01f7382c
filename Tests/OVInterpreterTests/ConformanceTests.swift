import Foundation
import Testing
import OVInterpreter
import _TestSupport

/// One conformance case: an IR with inputs and OpenVINO CPU f32 reference outputs (case.json schema
/// of fixtures/conformance/README.md).
struct ConformanceCase: CustomStringConvertible, Sendable {
    let directory: URL
    var name: String { directory.lastPathComponent }
    var description: String { name }

    /// Every case folder under `fixtures/<suite>` that has a case.json.
    static func all(in suite: String) -> [ConformanceCase] {
        let root = Fixtures.url(suite)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.sorted().compactMap { n in
            let dir = root.appendingPathComponent(n)
            return FileManager.default.fileExists(atPath: dir.appendingPathComponent("case.json").path)
                ? ConformanceCase(directory: dir) : nil
        }
    }

    struct Meta: Decodable {
        struct IO: Decodable { let name: String; let file: String? }
        let inputs: [IO]
        let outputs: [IO]
    }

    /// Runs the case; returns nil on success or a description of the first mismatch.
    func check(rtol: Double = 1e-4, atol: Double = 1e-5) throws -> String? {
        // Python's json writes Infinity/NaN for some diagnostics fields: JSON5 accepts them.
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        let meta = try decoder.decode(Meta.self, from: Data(contentsOf: directory.appendingPathComponent("case.json")))
        let model = try CompiledModel(graph: IRReader.read(xmlPath: directory.appendingPathComponent("model.xml").path))
        let inputs = try meta.inputs.enumerated().map { (i, io) in
            try Tensor(npyFile: directory.appendingPathComponent(io.file ?? "in_\(i).npy"))
        }
        let outputs = try model.infer(inputs)
        for (j, io) in meta.outputs.enumerated() {
            let ref = try Tensor(npyFile: directory.appendingPathComponent(io.file ?? "ref_\(j).npy"))
            if let problem = compare(outputs[j], ref, rtol: rtol, atol: atol) { return "output \(j) '\(io.name)': \(problem)" }
        }
        return nil
    }
}

/// numpy allclose (NaN equal to NaN) for floating point, exact equality for integers and booleans.
func compare(_ got: Tensor, _ ref: Tensor, rtol: Double, atol: Double) -> String? {
    guard got.shape == ref.shape else { return "shape \(got.shape), expected \(ref.shape)" }
    if ref.elementType.isFloatingPoint {
        var bad = 0, worst = 0.0
        for i in 0..<ref.count {
            let a = got.doubleValue(at: i), b = ref.doubleValue(at: i)
            if a.isNaN && b.isNaN { continue }
            if a == b { continue }
            let d = abs(a - b)
            if !(d <= atol + rtol * abs(b)) { bad += 1; worst = max(worst, d.isNaN ? .infinity : d) }
        }
        return bad == 0 ? nil : "\(bad)/\(ref.count) elements off, max abs diff \(worst)"
    }
    let a = got.int64Values(), b = ref.int64Values()
    let bad = zip(a, b).filter { $0 != $1 }.count
    return bad == 0 ? nil : "\(bad)/\(ref.count) elements differ (exact compare)"
}

@Suite("Conformance: OpenVINO CPU f32 references")
struct ConformanceTests {
    static let cases = ConformanceCase.all(in: "conformance") + ConformanceCase.all(in: "ir")

    @Test("case", arguments: cases)
    func conformance(_ c: ConformanceCase) throws {
        if let reason = conformanceSkips[c.name] {
            // Skipped with a reason; the skip list itself is checked below.
            _ = reason
            return
        }
        let problem = try c.check()
        #expect(problem == nil, "\(c.name): \(problem ?? "")")
    }

    @Test("skip list names real cases and stays under 1% of the suite")
    func skipList() {
        let names = Set(Self.cases.map(\.name))
        for name in conformanceSkips.keys { #expect(names.contains(name), "skip list names unknown case \(name)") }
        #expect(Double(conformanceSkips.count) <= 0.01 * Double(Self.cases.count))
        #expect(Self.cases.count >= 700)
    }
}
