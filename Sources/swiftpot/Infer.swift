import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OVInterpreter
import POTCore

struct Infer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Run a model once on the CPU interpreter and write its outputs as .npy files.",
        discussion: "Positional inputs follow the model's input order; --input binds by name. Writes DIR/out_<j>.npy for every output j in OpenVINO's output order.")

    @Argument(help: "The model's IR .xml file.") var model: String
    @Argument(help: "Input .npy files in the model's input order.") var inputs: [String] = []
    @Option(name: .customLong("input"), help: "NAME=FILE.npy: bind an input by tensor or layer name (repeatable).") var named: [String] = []
    @Option(help: "The weights file (default: the .bin beside the .xml).") var weights: String?
    @Option(name: .customLong("output-dir"), help: "Where to write out_<j>.npy.") var outputDir: String
    @Option(help: "Interpreter threads.") var threads: Int = 1
    @Flag(help: "Print each node's name, type, shapes, kernel and time to stderr.") var trace = false
    @Flag(name: .customLong("reference"), help: "Use reference kernels only (fast kernels off).") var referenceOnly = false
    @Flag(help: "Print a JSON report on stdout.") var json = false

    func run() throws {
        try runReportingErrors {
            let options = CompileOptions(referenceKernelsOnly: referenceOnly, threads: max(1, threads), trace: trace)
            let graph = try IRReader.read(xmlPath: model, binPath: weights)
            ProcessMemory.trimFreeHeap()   // the XML parse's memory, before compiling adds to the heap
            let compiled = try CompiledModel(graph: graph, options: options)
            ProcessMemory.trimFreeHeap()
            let values = try bindInputs(compiled)
            let outputs = try compiled.infer(values)
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
            var report: [[String: Any]] = []
            for (j, (io, t)) in zip(compiled.outputs, outputs).enumerated() {
                let path = appendingPathComponent(outputDir, "out_\(j).npy")
                try t.writeNpy(to: URL(fileURLWithPath: path))
                if json {
                    report.append(["index": j, "name": io.name, "shape": t.shape, "element_type": t.elementType.rawValue, "file": path])
                } else {
                    print("\(j) \(io.name) \(t.shape) \(t.elementType.rawValue)")
                }
            }
            if json {
                print(try jsonText(["outputs": report], pretty: true))
            }
        }
    }

    /// Positional inputs in model order, then `--input NAME=FILE` bindings by name.
    private func bindInputs(_ compiled: CompiledModel) throws -> [Tensor] {
        guard inputs.count <= compiled.inputs.count else {
            throw OVIRError("\(inputs.count) positional inputs given, but the model has \(compiled.inputs.count) input(s)")
        }
        var byName: [String: Tensor] = [:]
        for (io, file) in zip(compiled.inputs, inputs) {
            byName[io.name] = try Tensor(npyFile: URL(fileURLWithPath: file))
        }
        for binding in named {
            guard let eq = binding.firstIndex(of: "=") else {
                throw OVIRError("--input '\(binding)': expected NAME=FILE.npy")
            }
            let name = String(binding[..<eq]), file = String(binding[binding.index(after: eq)...])
            guard let io = compiled.inputs.first(where: { $0.matches(name) }) else {
                throw OVIRError("--input '\(name)': the model has no such input; its inputs are \(compiled.inputs.map { "'\($0.name)'" }.joined(separator: ", "))")
            }
            byName[io.name] = try Tensor(npyFile: URL(fileURLWithPath: file))
        }
        return try compiled.orderedInputs(byName)
    }
}
