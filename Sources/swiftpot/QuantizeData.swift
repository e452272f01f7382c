#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import POT

/// Calibration data for `swiftpot quantize --data`: a `.npy` whose axis 0 indexes samples, a
/// directory of `.npy` files (one sample each, in file-name order), or an `.npz` with one array per
/// model input (axis 0 indexes samples). Every sample is checked against the model's input shapes.
struct NumpyDataLoader: DataLoader {
    typealias Annotation = Int
    enum Source {
        case stacked([String: Tensor])     // input name → [N, …]
        case files([String])               // one sample per file (single-input models)
    }
    let source: Source
    let inputs: [ModelPort]
    let count: Int

    init(path: String, inputs: [ModelPort]) throws {
        self.inputs = inputs
        let (exists, isDir) = fileStatus(atPath: path)
        guard exists else {
            throw OVIRError("--data '\(path)': no such file or directory")
        }
        if isDir {
            let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".npy") }.sorted()
            guard !names.isEmpty else { throw OVIRError("--data '\(path)': the directory holds no .npy files") }
            guard inputs.count == 1 else {
                throw OVIRError("--data '\(path)': a directory of .npy files feeds single-input models; this model has \(inputs.count) inputs (\(Self.names(inputs))); use an .npz keyed by input name")
            }
            source = .files(names.map { appendingPathComponent(path, $0) })
            count = names.count
        } else if path.hasSuffix(".npz") {
            var byInput: [String: Tensor] = [:]
            let arrays = try Npz.read(url: URL(fileURLWithPath: path))
            for (key, t) in arrays {
                let stem = key.hasSuffix(".npy") ? String(key.dropLast(4)) : key
                guard let port = inputs.first(where: { $0.name == stem || $0.names.contains(stem) || $0.node.name == stem }) else {
                    let hint = closestName(to: stem, in: inputs.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
                    throw OVIRError("--data '\(path)': array '\(stem)' names no model input\(hint) (inputs: \(Self.names(inputs)))")
                }
                byInput[port.name] = t
            }
            for port in inputs where byInput[port.name] == nil {
                throw OVIRError("--data '\(path)': no array for model input '\(port.name)' (arrays: \(arrays.map(\.name).joined(separator: ", ")))")
            }
            let counts = Set(byInput.values.map { $0.shape.first ?? 0 })
            guard counts.count == 1, let n = counts.first else {
                throw OVIRError("--data '\(path)': arrays have different sample counts on axis 0: \(byInput.mapValues { $0.shape.first ?? 0 })")
            }
            source = .stacked(byInput)
            count = n
        } else {
            guard inputs.count == 1 else {
                throw OVIRError("--data '\(path)': one array feeds single-input models; this model has \(inputs.count) inputs (\(Self.names(inputs))); use an .npz keyed by input name")
            }
            let t = try Tensor(npyFile: URL(fileURLWithPath: path))
            guard t.rank >= 1 else { throw OVIRError("--data '\(path)': a scalar array has no samples axis") }
            source = .stacked([inputs[0].name: t])
            count = t.shape[0]
        }
        guard count > 0 else { throw OVIRError("--data '\(path)': no samples") }
        _ = try item(at: 0)   // shape and type errors before any work
    }

    static func names(_ inputs: [ModelPort]) -> String { inputs.map { "'\($0.name)'" }.joined(separator: ", ") }

    func item(at index: Int) throws -> DataItem<Int> {
        var feed: [String: Tensor] = [:]
        switch source {
        case .stacked(let arrays):
            for port in inputs {
                guard let a = arrays[port.name] else { continue }
                feed[port.name] = try a.slice(batch: index)
            }
        case .files(let files):
            var t = try Tensor(npyFile: URL(fileURLWithPath: files[index]))
            if let rank = inputs[0].shape.rank, t.rank == rank - 1 { t = try t.reshaped([1] + t.shape) }
            feed[inputs[0].name] = t
        }
        for port in inputs {
            guard var t = feed[port.name] else { continue }
            guard port.shape.accepts(t.shape) else {
                throw OVIRError("sample \(index): input '\(port.name)': expected shape \(port.shape), found \(t.shape)")
            }
            if t.elementType != port.elementType {
                guard t.elementType.bitWidth >= 8, port.elementType.bitWidth >= 8 else {
                    throw OVIRError("sample \(index): input '\(port.name)': expected \(port.elementType.rawValue), found \(t.elementType.rawValue)")
                }
                t = Tensor(doubles: t.doubleValues(), as: port.elementType, shape: t.shape)
            }
            feed[port.name] = t
        }
        if inputs.count == 1, let only = feed[inputs[0].name] { return DataItem(data: .tensor(only), annotation: 0) }
        return DataItem(data: .named(feed), annotation: 0)
    }
}
