/// What a target device can execute in low precision, as POT's hardware configs describe it.
///
/// Learned from POT 2023.3 `configs/hardware/cpu.json` / `gpu.json` and the loader
/// `configs/hardware_config.py` (`HardwareConfig.from_json`), which expands every named scheme into
/// the cartesian product of its listed values (`bits` × `mode` × `granularity`, in that key order).
/// The expansion is written out here: the order of the alternatives matters, because the preset picks
/// the first (performance) or the last (mixed/accuracy) surviving alternative.

/// Symmetric or asymmetric quantization.
package enum QuantizationMode: String, Sendable, Hashable, Codable {
    case symmetric, asymmetric
}

/// One scale for the whole tensor, or one per channel.
package enum QuantizationGranularity: String, Sendable, Hashable, Codable {
    case perTensor = "pertensor"
    case perChannel = "perchannel"
}

/// One quantization alternative a device accepts for an input: bit width, mode, granularity and
/// optionally explicit integer levels (POT's `q8_w_sym` uses -127...127, i.e. 255 levels).
package struct QuantizationScheme: Hashable, Sendable {
    package var bits: Int
    package var mode: QuantizationMode
    package var granularity: QuantizationGranularity
    package var levelLow: Int?
    package var levelHigh: Int?

    package init(bits: Int = 8, mode: QuantizationMode, granularity: QuantizationGranularity,
                 levelLow: Int? = nil, levelHigh: Int? = nil) {
        self.bits = bits
        self.mode = mode
        self.granularity = granularity
        self.levelLow = levelLow
        self.levelHigh = levelHigh
    }

    /// The FakeQuantize `levels` for this scheme (POT `fake_quantize.py`, `compute_levels`): explicit
    /// level bounds win; otherwise symmetric weights drop the most negative level (-2^(b-1)+1 ... 2^(b-1)-1),
    /// everything else uses the full -2^(b-1) ... 2^(b-1)-1.
    package func levels(forWeights: Bool) -> Int {
        let full = 1 << bits
        let low = levelLow ?? ((forWeights && mode == .symmetric) ? -full / 2 + 1 : -full / 2)
        let high = levelHigh ?? (full / 2 - 1)
        return abs(high) + abs(low) + 1
    }

    /// Same mode and granularity (the fields POT compares when intersecting alternatives).
    func sameMain(_ other: QuantizationScheme) -> Bool {
        mode == other.mode && granularity == other.granularity
    }
}

/// How the inputs of an op share one scale.
package enum UnifiedScales: Hashable, Sendable {
    /// All quantized inputs share one range (Concat).
    case all
    /// The listed groups of input ports share a range (LSTMSequence/GRUSequence).
    case groups([[Int]])
}

/// One op type of a hardware config.
package struct HardwareOperation: Hashable, Sendable {
    package var type: String
    /// Alternatives for activation inputs; nil when the op has no `quantization` section.
    package var activations: [QuantizationScheme]?
    /// Alternatives for constant (weights) inputs.
    package var weights: [QuantizationScheme]?
    package var unifiedScales: UnifiedScales?

    /// An entry with a `quantization` section (POT quantizes the inputs of such ops unless they are
    /// also quantize-agnostic).
    package var hasQuantization: Bool { activations != nil || weights != nil }

    func schemes(_ kind: QuantizerKind) -> [QuantizationScheme]? {
        kind == .weights ? weights : activations
    }
}

/// A device's hardware config: its quantizable and quantize-agnostic op types, in file order.
package struct HardwareConfig: Sendable {
    package var targetDevice: PlacementConfig.TargetDevice
    /// `primary_bitwidth` (8 unless a config says otherwise).
    package var primaryBitwidth: Int = 8
    /// `input_priority_types` (empty for CPU and GPU).
    package var inputPriorityTypes: [String] = []
    package var operations: [HardwareOperation]

    package func operation(_ type: String) -> HardwareOperation? { operations.first { $0.type == type } }

    /// The config POT loads for a target device: `cpu.json` for CPU and ANY, `gpu.json` for GPU
    /// (CPU's without the LSTM/GRU sequence entries).
    package static func forDevice(_ device: PlacementConfig.TargetDevice) -> HardwareConfig {
        var ops = cpuOperations
        if device == .gpu { ops.removeAll { $0.type == "LSTMSequence" || $0.type == "GRUSequence" } }
        return HardwareConfig(targetDevice: device, operations: ops)
    }

    // The named schemes of cpu.json, expanded (mode varies fastest after bits).
    static let activationsPerTensor = [
        QuantizationScheme(mode: .symmetric, granularity: .perTensor),
        QuantizationScheme(mode: .asymmetric, granularity: .perTensor),
    ]
    static let activationsPerChannel = [
        QuantizationScheme(mode: .symmetric, granularity: .perChannel),
        QuantizationScheme(mode: .asymmetric, granularity: .perChannel),
    ]
    static let weightsSymmetric = QuantizationScheme(mode: .symmetric, granularity: .perChannel, levelLow: -127, levelHigh: 127)
    static let weightsAsymmetric = QuantizationScheme(mode: .asymmetric, granularity: .perChannel)
    static let weightsBoth = [weightsSymmetric, weightsAsymmetric]

    static let cpuOperations: [HardwareOperation] = {
        func full(_ type: String) -> HardwareOperation {
            HardwareOperation(type: type, activations: activationsPerTensor, weights: weightsBoth)
        }
        func actOnly(_ type: String) -> HardwareOperation {
            HardwareOperation(type: type, activations: activationsPerTensor, weights: nil)
        }
        func plain(_ type: String) -> HardwareOperation { HardwareOperation(type: type) }
        var ops: [HardwareOperation] = [
            full("Convolution"),
            HardwareOperation(type: "DepthWiseConvolution", activations: activationsPerChannel, weights: weightsBoth),
            full("ConvolutionBackpropData"), full("MatMul"), full("Add"), full("Multiply"), full("Maximum"),
            full("Less"), full("LessEqual"), full("Greater"), full("GreaterEqual"), full("Divide"), full("Minimum"),
            full("Equal"), full("Subtract"), full("NotEqual"), full("FloorMod"), full("LogicalOr"), full("LogicalXor"),
            full("LogicalAnd"), full("LogicalNot"),
            actOnly("Power"), actOnly("AvgPool"), actOnly("NormalizeL2"), actOnly("ReduceMean"),
            plain("MaxPool"), plain("ReduceMax"),
            actOnly("Interpolate"), actOnly("MVN"),
        ]
        var concat = plain("Concat")
        concat.unifiedScales = .all
        ops.append(concat)
        ops.append(HardwareOperation(type: "LSTMSequence", activations: activationsPerTensor, weights: [weightsSymmetric],
                                     unifiedScales: .groups([[0, 1], [4, 5]])))
        ops.append(HardwareOperation(type: "GRUSequence", activations: activationsPerTensor, weights: [weightsSymmetric],
                                     unifiedScales: .groups([[0, 1], [3, 4]])))
        for t in ["Reshape", "Flatten", "Squeeze", "Unsqueeze", "Split", "VariadicSplit", "Crop", "Transpose", "Tile",
                  "StridedSlice", "ShuffleChannels", "Broadcast", "Pad", "ConvertLike", "Gather", "DepthToSpace"] {
            ops.append(plain(t))
        }
        return ops
    }()
}
