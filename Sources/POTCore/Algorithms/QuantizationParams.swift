import OVIR

/// The parameters of MinMaxQuantization and DefaultQuantization, with POT 2023.3's defaults:
/// `algorithms/quantization/{default,minmax}/algorithm.py` (sampling: `stat_subset_size` defaults to
/// the whole dataset, `stat_batch_size` 1, `shuffle_data` false, `seed` 0), `fake_quantize.py`
/// (`saturation_fix` "first_layer"), `configs/config.py` (the accepted keys and the
/// `accuracy` → `mixed` preset alias for CPU/ANY/GPU) and `range_estimator.py`.
package struct QuantizationParams: Sendable {
    package var preset: PlacementConfig.Preset = .performance
    package var targetDevice: PlacementConfig.TargetDevice = .cpu
    package var modelType: PlacementConfig.ModelType?
    /// nil: the whole dataset (POT's API default); always capped at the dataset size.
    package var statSubsetSize: Int?
    package var statBatchSize: Int = 1
    package var shuffleData = false
    package var seed = 0
    /// The model-wide `ignored` section (a single model): `scope`, `operations[].type`, `skip_model`.
    package var ignoredScope: [String] = []
    package var ignoredTypes: [String] = []
    package var skipModel = false
    /// `ignored` keyed by cascade member name (POT's form for cascades, `graph/utils.py`
    /// `preprocess_ignored_params`): each member's own scope (its layer names), types and `skip_model`.
    package var ignoredByMember: [String: Ignored] = [:]
    package var saturationFix: PlacementConfig.SaturationFix = .firstLayer
    /// Accepted for compatibility: SwiftPOT's engine always computes statistics in place.
    package var inplaceStatistics = true
    package var rangeEstimator = RangeEstimatorParams()
    package var weightsRangeEstimator: RangeEstimatorParams?
    package var activationsRangeEstimator: RangeEstimatorParams?
    /// DefaultQuantization: FastBiasCorrection (true) or BiasCorrection (false).
    package var useFastBias = true
    /// FastBiasCorrection/BiasCorrection `threshold` (POT default 2.0, and 1000 for BiasCorrection) and
    /// `apply_for_all_nodes` (false).
    package var biasThreshold = 2.0
    package var applyForAllNodes = false

    package init() {}

    static let common = ["preset", "target_device", "model_type", "stat_subset_size", "stat_batch_size", "shuffle_data",
                         "seed", "ignored", "saturation_fix", "inplace_statistics", "range_estimator", "weights",
                         "activations", "dump_intermediate_model", "exec_log_dir"]
    static let defaultOnly = ["use_fast_bias", "use_layerwise_tuning", "threshold", "apply_for_all_nodes"]

    /// Parses `params` strictly for `algorithm` ("MinMaxQuantization" or "DefaultQuantization").
    package init(_ params: [String: ConfigValue], algorithm: String) throws {
        let path = "\(algorithm).params"
        let r = try ConfigReader(params, path: path, known: Self.common + (algorithm == "DefaultQuantization" ? Self.defaultOnly : []))
        let device = try r.string("target_device", default: "CPU", allowed: ["CPU", "ANY", "GPU", "CPU_SPR"])
        targetDevice = PlacementConfig.TargetDevice(rawValue: device == "CPU_SPR" ? "CPU" : device) ?? .cpu
        var p = try r.string("preset", default: "performance", allowed: ["performance", "mixed", "accuracy", "symmetric", "asymmetric"])
        p = ["symmetric": "performance", "asymmetric": "mixed", "accuracy": "mixed"][p] ?? p
        preset = PlacementConfig.Preset(rawValue: p) ?? .performance
        if let m = try r.optionalString("model_type"), m != "None" {
            guard let t = PlacementConfig.ModelType(rawValue: m) else {
                throw OVIRError("\(path).model_type: '\(m)' is not supported; expected 'transformer' or null")
            }
            modelType = t
        }
        if params["stat_subset_size"] != nil && params["stat_subset_size"] != .null {
            let n = try r.int("stat_subset_size", default: 300)
            guard n > 0 else { throw OVIRError("\(path).stat_subset_size: expected a positive integer, found \(n)") }
            statSubsetSize = n
        }
        statBatchSize = try r.int("stat_batch_size", default: 1)
        guard statBatchSize > 0 else { throw OVIRError("\(path).stat_batch_size: expected a positive integer, found \(statBatchSize)") }
        shuffleData = try r.bool("shuffle_data", default: false)
        seed = try r.int("seed", default: 0)
        let fix = try r.string("saturation_fix", default: "first_layer", allowed: ["first_layer", "all", "no"])
        saturationFix = PlacementConfig.SaturationFix(rawValue: fix) ?? .firstLayer
        inplaceStatistics = try r.bool("inplace_statistics", default: true)
        _ = try r.bool("dump_intermediate_model", default: false)
        _ = try r.optionalString("exec_log_dir")
        if let d = try r.dictionary("range_estimator") { rangeEstimator = try RangeEstimatorParams(d, path: path + ".range_estimator") }
        weightsRangeEstimator = try Self.section(r, "weights", path: path)
        activationsRangeEstimator = try Self.section(r, "activations", path: path)
        try parseIgnored(r, path: path)
        if algorithm == "DefaultQuantization" {
            useFastBias = try r.bool("use_fast_bias", default: true)
            if try r.bool("use_layerwise_tuning", default: false) {
                throw OVIRError("\(path).use_layerwise_tuning: layer-wise fine-tuning (POT's torch-based tuner) is not supported")
            }
            // FastBiasCorrection's default threshold is 2.0, BiasCorrection's 1000 (their algorithm.py).
            biasThreshold = try r.double("threshold", default: useFastBias ? 2.0 : 1000.0)
            applyForAllNodes = try r.bool("apply_for_all_nodes", default: false)
        }
    }

    /// A `weights`/`activations` section: its `range_estimator`; the scheme keys (bits, mode,
    /// granularity, level_low, level_high) must agree with what the hardware config offers.
    static func section(_ r: ConfigReader, _ key: String, path: String) throws -> RangeEstimatorParams? {
        guard let d = try r.dictionary(key) else { return nil }
        let sr = try ConfigReader(d, path: "\(path).\(key)",
                                  known: ["bits", "mode", "granularity", "level_low", "level_high", "range_estimator"])
        let bits = try sr.int("bits", default: 8)
        if bits != 8 { throw OVIRError("\(path).\(key).bits: only 8 bits are supported on CPU, found \(bits)") }
        _ = try sr.string("mode", default: "symmetric", allowed: ["symmetric", "asymmetric"])
        _ = try sr.string("granularity", default: "pertensor", allowed: ["pertensor", "perchannel"])
        _ = try sr.int("level_low", default: 0)
        _ = try sr.int("level_high", default: 0)
        for k in ["mode", "granularity", "level_low", "level_high"] where d[k] != nil {
            throw OVIRError("\(path).\(key).\(k): overriding the hardware config's quantization scheme is not supported yet")
        }
        return try sr.dictionary("range_estimator").map { try RangeEstimatorParams($0, path: "\(path).\(key).range_estimator") }
    }

    /// One `ignored` section: POT's `scope`, `operations` and `skip_model` (no FakeQuantize at all in
    /// that model: `graph/transformer.py` `_insert_fake_quantize` returns the graph untouched).
    package struct Ignored: Sendable, Equatable {
        package var scope: [String] = []
        package var types: [String] = []
        package var skipModel = false
        package init(scope: [String] = [], types: [String] = [], skipModel: Bool = false) {
            self.scope = scope
            self.types = types
            self.skipModel = skipModel
        }
    }

    /// `ignored` is either one section for the model or, for a cascade, one section per member name.
    /// A key whose value is a dictionary names a member (a section's own keys hold lists or booleans).
    mutating func parseIgnored(_ r: ConfigReader, path: String) throws {
        guard let d = try r.dictionary("ignored") else { return }
        let members = d.keys.filter { if case .dictionary = d[$0] { return true } else { return false } }.sorted()
        guard !members.isEmpty else {
            let own = try Self.parseIgnoredSection(d, path: path + ".ignored")
            (ignoredScope, ignoredTypes, skipModel) = (own.scope, own.types, own.skipModel)
            return
        }
        if let own = members.first(where: { ["scope", "operations", "skip_model"].contains($0) }) {
            throw OVIRError("\(path).ignored.\(own): expected \(own == "skip_model" ? "a boolean" : "a list"), found a dictionary")
        }
        if let other = d.keys.sorted().first(where: { !members.contains($0) }) {
            throw OVIRError("\(path).ignored: '\(other)' is a model-wide key but '\(members[0])' is a per-member section; "
                            + "for a cascade give each member its own section ({\"\(members[0])\": {\"scope\": […], \"skip_model\": …}})")
        }
        for m in members {
            guard case .dictionary(let section) = d[m] else { continue }
            ignoredByMember[m] = try Self.parseIgnoredSection(section, path: "\(path).ignored.\(m)")
        }
    }

    static func parseIgnoredSection(_ d: [String: ConfigValue], path: String) throws -> Ignored {
        let ir = try ConfigReader(d, path: path, known: ["scope", "operations", "skip_model"])
        var out = Ignored(scope: try ir.strings("scope") ?? [], skipModel: try ir.bool("skip_model", default: false))
        guard let ops = ir.values["operations"], ops != .null else { return out }
        guard case .array(let list) = ops else { throw OVIRError("\(path).operations: expected a list of {\"type\": …}") }
        for (i, op) in list.enumerated() {
            guard case .dictionary(let od) = op else { throw OVIRError("\(path).operations[\(i)]: expected {\"type\": …}") }
            let orr = try ConfigReader(od, path: "\(path).operations[\(i)]", known: ["type", "attributes"])
            guard let t = try orr.optionalString("type") else { throw OVIRError("\(path).operations[\(i)]: 'type' is missing") }
            if orr.values["attributes"] != nil {
                throw OVIRError("\(path).operations[\(i)].attributes: matching on attributes is not supported yet")
            }
            out.types.append(t)
        }
        return out
    }

    /// The `ignored` section that applies to `member` of `model` (POT `preprocess_ignored_params`): the
    /// model-wide one for a single model, the member's own for a cascade (none when it has none).
    /// Stricter than POT, which silently drops a section it does not use: a model-wide section on a
    /// cascade, per-member sections on a single model and a section for an unknown member are errors.
    package func ignored(for member: String, of model: CompressedModel) throws -> Ignored {
        let names = model.models.map(\.name)
        let path = "ignored"
        guard model.isCascade else {
            if let m = ignoredByMember.keys.sorted().first {
                throw OVIRError("\(path).\(m): per-member ignored sections are for cascades; model '\(member)' is a single model "
                                + "(put scope, operations and skip_model directly under ignored)")
            }
            return Ignored(scope: ignoredScope, types: ignoredTypes, skipModel: skipModel)
        }
        if !ignoredScope.isEmpty || !ignoredTypes.isEmpty || skipModel {
            let key = skipModel ? "skip_model" : !ignoredScope.isEmpty ? "scope" : "operations"
            throw OVIRError("\(path).\(key): the model is a cascade (members \(names.joined(separator: ", "))); POT reads ignored per member "
                            + "and drops a model-wide section: write {\"\(names[0])\": {\"\(key)\": …}}")
        }
        for m in ignoredByMember.keys.sorted() where !names.contains(m) {
            let hint = closestName(to: m, in: names).map { "; did you mean '\($0)'?" } ?? ""
            throw OVIRError("\(path).\(m): the cascade has no member '\(m)'\(hint) (members: \(names.joined(separator: ", ")))")
        }
        return ignoredByMember[member] ?? Ignored()
    }

    /// The placement settings these parameters imply.
    package func placementConfig(channelAlignment: Bool, ignored: Ignored? = nil) -> PlacementConfig {
        PlacementConfig(preset: preset, targetDevice: targetDevice, modelType: modelType, ignoredScope: ignored?.scope ?? ignoredScope,
                        ignoredTypes: ignored?.types ?? ignoredTypes, saturationFix: saturationFix, activationChannelAlignment: channelAlignment)
    }

    /// The range estimator of one quantizer.
    package func estimator(for q: PlannedQuantizer) -> RangeEstimator {
        let section = q.kind == .weights ? weightsRangeEstimator : activationsRangeEstimator
        return RangeEstimator.resolve(section ?? rangeEstimator, weights: q.kind == .weights,
                                      mode: q.scheme.mode, granularity: q.scheme.granularity)
    }

    /// The dataset indices statistics are collected on, as POT's `create_sampler`.
    package func subsetIndices(datasetSize: Int) -> [Int] {
        let n = Swift.min(statSubsetSize ?? datasetSize, datasetSize)
        guard shuffleData else { return Array(0..<n) }
        var rng = PythonRandom(seed: seed)
        return rng.sample(population: datasetSize, count: n)
    }
}
