import OVIR

/// The settings of DefaultQuantization/MinMaxQuantization that decide where FakeQuantize nodes go
/// and how they are configured (POT's `target_device`, `preset`, `model_type`, `ignored`,
/// `saturation_fix`).
package struct PlacementConfig: Sendable, Hashable {
    package enum Preset: String, Sendable, Hashable, CaseIterable {
        case performance, mixed, accuracy
    }
    package enum TargetDevice: String, Sendable, Hashable, CaseIterable {
        case cpu = "CPU", any = "ANY", gpu = "GPU"
    }
    package enum ModelType: String, Sendable, Hashable {
        case transformer
    }
    /// POT's `saturation_fix`: which weight quantizers get the ×2 rescaling on CPU/ANY.
    package enum SaturationFix: String, Sendable, Hashable {
        case no, firstLayer = "first_layer", all
    }

    package var preset: Preset = .performance
    package var targetDevice: TargetDevice = .cpu
    package var modelType: ModelType? = nil
    /// `ignored.scope`: layer names never quantized.
    package var ignoredScope: [String] = []
    /// `ignored.operations`: op types never quantized (IR type names, e.g. `Add`).
    package var ignoredTypes: [String] = []
    package var saturationFix: SaturationFix = .firstLayer
    /// DefaultQuantization runs ActivationChannelAlignment first, which marks more convolutions for the
    /// saturation rescaling; MinMaxQuantization alone does not.
    package var activationChannelAlignment: Bool = true
    /// Consts that POT's graph would not have (SwiftPOT's private copies from the channel alignment
    /// guard): left out of the node-id counting that names POT's grouped-weights Reshapes.
    package var uncountedConstants: Set<String> = []

    package init(preset: Preset = .performance, targetDevice: TargetDevice = .cpu, modelType: ModelType? = nil,
                 ignoredScope: [String] = [], ignoredTypes: [String] = [], saturationFix: SaturationFix = .firstLayer,
                 activationChannelAlignment: Bool = true) {
        self.preset = preset
        self.targetDevice = targetDevice
        self.modelType = modelType
        self.ignoredScope = ignoredScope
        self.ignoredTypes = ignoredTypes
        self.saturationFix = saturationFix
        self.activationChannelAlignment = activationChannelAlignment
    }
}

/// Whether a quantizer reads a constant (weights) or a computed tensor (activations).
package enum QuantizerKind: String, Sendable, Hashable, Codable {
    case weights, activations
}

/// One input port of one layer, by layer name.
package struct EdgeRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var node: String
    package var input: Int
    package init(_ node: String, _ input: Int) { self.node = node; self.input = input }
    package var description: String { "\(node):\(input)" }
    package static func < (a: EdgeRef, b: EdgeRef) -> Bool {
        a.node == b.node ? a.input < b.input : a.node.unicodeScalars.lexicographicallyPrecedes(b.node.unicodeScalars)
    }
}

/// One output port of one layer, by layer name.
package struct OutputRefName: Hashable, Sendable, CustomStringConvertible {
    package var node: String
    package var output: Int
    package init(_ node: String, _ output: Int) { self.node = node; self.output = output }
    package var description: String { "\(node).\(output)" }
}

/// One FakeQuantize POT would insert: where, how many levels, which scheme, and its name.
package struct PlannedQuantizer: Hashable, Sendable {
    /// The FakeQuantize layer name as POT gives it (`<layer>/fq_input_<port>`, `<layer>/fq_weights_<port>`).
    package var name: String
    package var kind: QuantizerKind
    /// The tensor it quantizes.
    package var producer: OutputRefName
    /// The input ports it feeds, sorted. For GroupConvolution weights this is the GroupConvolution's port 1
    /// (POT's saved IR puts the FakeQuantize before a Reshape it adds; see ``FakeQuantizeInsertion``).
    package var consumers: [EdgeRef]
    package var levels: Int
    package var scheme: QuantizationScheme
    /// The channel axis of per-channel ranges in the quantized tensor (0 for weights, 1 for activations).
    package var channelAxis: Int?
    /// The shape POT gives the four range constants (`[]` per-tensor; `[C,1,1,1]` per-channel weights;
    /// `[1,C,1,1]` per-channel activations).
    package var rangeShape: [Int]
    /// Quantizers with the same group number get one common range (POT `unify_fq_scales`, Concat inputs).
    package var unificationGroup: Int?
    /// The saturation fix: POT divides these weights by 2 and doubles the FakeQuantize output range.
    package var saturationRescale: Bool
}

/// The whole placement: the quantizers plus the graph rewrites POT applies before quantizing
/// (they change the saved model, and the quantizers may refer to layers they create).
package struct PlacementPlan: Sendable {
    package var quantizers: [PlannedQuantizer]
    /// Convolutions without a bias Add that POT gives a zero bias (`<conv>/add_`, POT `InsertBiasNode`).
    package var zeroBiasConvolutions: [String]
    /// MatMuls whose constant input 1 POT transposes (setting `transpose_b`), POT `MatMulPreprocessing`.
    package var transposedMatMulWeights: [String]
    /// The name POT's saved IR gives the Reshape after a grouped convolution's weights, by convolution
    /// name (a number from Model Optimizer's node-id counter; see ``PotNodeIDs``).
    package var groupWeightsReshapeNames: [String: String] = [:]
    /// Names of the zero-bias Add layers (`<conv>/add_`) by convolution name.
    package static func zeroBiasName(_ conv: String) -> String { conv + "/add_" }
}

/// A placement failure, naming the layer.
package struct PlacementError: Error, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
