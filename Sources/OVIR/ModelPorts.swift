/// One input or output of a model as OpenVINO presents it (`model.inputs[i]`, `model.outputs[i]`).
public struct ModelPort: @unchecked Sendable {
    /// The `Parameter` or `Result` layer.
    public let node: Node
    /// The tensor: the Parameter's output, or the output feeding the Result (nil if the Result is unconnected).
    public let tensor: OutputRef?
    /// All tensor names, in byte order.
    public let names: [String]
    /// OpenVINO's `any_name`: the smallest tensor name in byte order; the layer name when there are no names.
    public let name: String
    /// The element type (a Parameter's `element_type`; for a Result, its producer's output precision).
    public let elementType: ElementType
    /// The shape (a Parameter's `shape`, with intervals; for a Result, its producer's declared port dims).
    public let shape: PartialShape
}

extension Graph {
    /// The model's inputs in OpenVINO's order (Parameters in file order), named as OpenVINO names them.
    public var modelInputs: [ModelPort] {
        parameters.map { p in
            var names = p.outputs.first?.names ?? []
            // IR v10: OpenVINO adds each Parameter's layer name to its tensor names.
            if irVersion == 10 { names.append(p.name) }
            let port = p.outputs.first
            return ModelPort(node: p, tensor: port == nil ? nil : p.output(0), names: Graph.byteOrdered(names),
                             name: Graph.anyName(names, fallback: p.name),
                             elementType: port?.elementType ?? .f32, shape: port?.shape ?? .dynamicRank)
        }
    }

    /// The model's outputs in OpenVINO's order (Results in file order), named as OpenVINO names them.
    public var modelOutputs: [ModelPort] {
        results.map { r in
            let source = r.inputs.first?.source
            var names = source?.port.names ?? []
            // IR written by OpenVINO 2025+ carries the output's names on the Result; they replace the producer's.
            if let own = r.layerAttributes.first(where: { $0.name == "output_names" })?.value {
                names = IRGraphParser.splitTensorNames(own)
            }
            // IR v10: OpenVINO adds the producer's layer name (`name.k` for a multi-output producer).
            if irVersion == 10, let source {
                names.append(source.node.outputs.count > 1 ? "\(source.node.name).\(source.index)" : source.node.name)
            }
            let elementType = source?.port.elementType ?? r.inputs.first?.elementType ?? .f32
            let shape = source?.port.shape ?? r.inputs.first?.shape ?? .dynamicRank
            return ModelPort(node: r, tensor: source, names: Graph.byteOrdered(names),
                             name: Graph.anyName(names, fallback: r.name), elementType: elementType, shape: shape)
        }
    }

    static func byteOrdered(_ names: [String]) -> [String] {
        Array(Set(names)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// OpenVINO keeps a tensor's names in a set and answers `any_name` with the smallest (std::string order).
    static func anyName(_ names: [String], fallback: String) -> String {
        byteOrdered(names).first ?? fallback
    }
}
