import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OVIR

/// `swiftpot inspect MODEL.xml [--weights MODEL.bin] [--json]`: inputs, outputs, op counts, weights.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a model's inputs, outputs, op types and weights.",
        discussion: """
            Inputs and outputs are listed in OpenVINO's order with OpenVINO's names (any_name: the \
            smallest tensor name). Op counts are for the top-level graph (Parameter, Const and Result \
            included); parameter counts include constants inside sub-graph bodies. In --json, a dynamic \
            dimension is -1 and a non-static shape also gets "partial_shape" ("[1,1..10,?]"; a dynamic \
            rank has "shape": null).
            """)

    @Argument(help: "The model (.xml).")
    var model: String

    @Option(help: "The weights file (default: the .bin beside the model).")
    var weights: String?

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    func run() throws {
        try runReportingErrors {
            let graph = try IRReader.read(xmlPath: model, binPath: weights)
            let summary = ModelSummary(graph)
            print(json ? summary.json.rendered() : summary.table())
        }
    }
}

/// What `inspect` reports about one graph.
struct ModelSummary {
    struct Port {
        let name: String
        let names: [String]
        let elementType: ElementType
        let shape: PartialShape
    }
    let name: String
    let irVersion: Int
    let inputs: [Port]
    let outputs: [Port]
    let ops: [String: Int]
    let opsets: [String: [String]]
    /// Constant element count and bytes per element type (including sub-graph bodies).
    let parameters: [ElementType: (count: Int, bytes: Int)]
    let layers: Int

    init(_ graph: Graph) {
        name = graph.name
        irVersion = graph.irVersion
        inputs = graph.modelInputs.map { Port(name: $0.name, names: $0.names, elementType: $0.elementType, shape: $0.shape) }
        outputs = graph.modelOutputs.map { Port(name: $0.name, names: $0.names, elementType: $0.elementType, shape: $0.shape) }
        var ops: [String: Int] = [:]
        var opsets: [String: Set<String>] = [:]
        for n in graph.nodes {
            ops[n.type, default: 0] += 1
            opsets[n.type, default: []].insert(n.version)
        }
        self.ops = ops
        self.opsets = opsets.mapValues { $0.sorted() }
        var parameters: [ElementType: (count: Int, bytes: Int)] = [:]
        ModelSummary.countConstants(graph, into: &parameters)
        self.parameters = parameters
        layers = graph.nodes.count
    }

    private static func countConstants(_ graph: Graph, into acc: inout [ElementType: (count: Int, bytes: Int)]) {
        for n in graph.nodes {
            if let c = n.constant {
                let old = acc[c.elementType] ?? (0, 0)
                acc[c.elementType] = (old.count + c.count, old.bytes + c.byteCount)
            }
            for body in n.bodies.values { countConstants(body, into: &acc) }
        }
    }

    /// OpenVINO's partial-shape text: `[1,1..10,?]`, `[...]` for a dynamic rank.
    static func openVINOText(_ shape: PartialShape) -> String {
        guard let dims = shape.dims else { return "[...]" }
        return "[" + dims.map { $0 == .dynamic ? "?" : $0.description }.joined(separator: ",") + "]"
    }

    static func shapeJSON(_ shape: PartialShape) -> JSONValue {
        guard let dims = shape.dims else { return .null }
        return .array(dims.map { .int($0.staticValue ?? -1) })
    }

    var json: JSONValue {
        func port(_ p: Port) -> JSONValue {
            var o: [String: JSONValue] = [
                "name": .string(p.name), "names": .array(p.names.map { .string($0) }),
                "element_type": .string(p.elementType.rawValue), "shape": ModelSummary.shapeJSON(p.shape),
            ]
            if !p.shape.isStatic { o["partial_shape"] = .string(ModelSummary.openVINOText(p.shape)) }
            return .object(o)
        }
        return .object([
            "ir_version": .int(irVersion),
            "name": .string(name),
            "inputs": .array(inputs.map(port)),
            "outputs": .array(outputs.map(port)),
            "ops": .object(ops.mapValues { .int($0) }),
            "opsets": .object(opsets.mapValues { .array($0.map { .string($0) }) }),
            "parameters": .object(Dictionary(uniqueKeysWithValues: parameters.map { key, v in
                (key.rawValue, JSONValue.object(["count": .int(v.count), "bytes": .int(v.bytes)]))
            })),
            "layers": .int(layers),
        ])
    }

    /// The human-readable report.
    func table() -> String {
        var lines = ["Model: \(name)  (IR v\(irVersion), \(layers) layers)", ""]
        func ports(_ title: String, _ ps: [Port]) {
            lines.append("\(title) (\(ps.count)):")
            let rows = ps.enumerated().map { i, p in
                [String(i), p.name, p.elementType.rawValue, ModelSummary.openVINOText(p.shape)]
            }
            lines += TextTable.render(header: ["#", "name", "type", "shape"], rows: rows).map { "  " + $0 }
            lines.append("")
        }
        ports("Inputs", inputs)
        ports("Outputs", outputs)
        lines.append("Ops (\(ops.values.reduce(0, +)) layers, \(ops.count) types):")
        let opRows = ops.keys.sorted().map { [$0, String(ops[$0] ?? 0), (opsets[$0] ?? []).joined(separator: ",")] }
        lines += TextTable.render(header: ["type", "count", "version"], rows: opRows, rightAligned: [1]).map { "  " + $0 }
        lines.append("")
        let types = parameters.keys.sorted { $0.rawValue < $1.rawValue }
        let total = parameters.values.reduce((0, 0)) { ($0.0 + $1.count, $0.1 + $1.bytes) }
        lines.append("Parameters (constants): \(total.0) elements, \(total.1) bytes")
        let paramRows = types.map { t in [t.rawValue, String(parameters[t]?.count ?? 0), String(parameters[t]?.bytes ?? 0)] }
        if !paramRows.isEmpty {
            lines += TextTable.render(header: ["type", "elements", "bytes"], rows: paramRows, rightAligned: [1, 2]).map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}

/// Fixed-width text columns.
enum TextTable {
    static func render(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0.indices.contains(c) ? $0[c].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: max(0, widths[c] - cell.count))
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingWhitespace()
        }
    }
}

/// A minimal JSON value with deterministic (sorted-key) rendering.
enum JSONValue {
    case null
    case int(Int)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Pretty-printed JSON with keys sorted (byte order) and one-line arrays of numbers.
    func rendered(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .int(let v): return String(v)
        case .string(let s): return JSONValue.quote(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy({ if case .int = $0 { return true } else { return false } }) {
                return "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let dict):
            if dict.isEmpty { return "{}" }
            let keys = dict.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let body = keys.map { k in inner + JSONValue.quote(k) + ": " + (dict[k] ?? .null).rendered(indent: inner) }
            return "{\n" + body.joined(separator: ",\n") + "\n\(indent)}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += cFormat("\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
