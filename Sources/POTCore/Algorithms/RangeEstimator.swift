import OVIR

/// How one border (min or max) of a quantization range is estimated: the statistic computed on each
/// batch, how per-batch values are aggregated, and the statistic's granularity.
///
/// Learned from POT 2023.3 `algorithms/quantization/range_estimator.py` (presets, and how a user's
/// `range_estimator` overrides them) and `statistics/functions/{activations,weights,aggregation}.py`.
package struct BorderEstimator: Hashable, Sendable {
    /// POT's statistic `type`.
    package enum StatType: String, Hashable, Sendable, CaseIterable {
        case min, max, absMax = "abs_max", quantile, absQuantile = "abs_quantile"
    }
    /// POT's `aggregator` (`statistics/functions/aggregation.py`).
    package enum Aggregator: String, Hashable, Sendable, CaseIterable {
        case min, max, mean, median, batchMean = "batch_mean", meanNoOutliers = "mean_no_outliers"
        case medianNoOutliers = "median_no_outliers", hlEstimator = "hl_estimator"
    }

    package var type: StatType
    /// Aggregates per-batch values (activations only; weights have one value).
    package var aggregator: Aggregator?
    package var granularity: QuantizationGranularity
    /// For quantile types: the probability mass cut off (the max border uses `1 - outlierProb`).
    package var outlierProb: Double
    /// POT's `clipping_value`: the max border is clipped from above, the min border from below.
    package var clippingValue: Double?

    package init(type: StatType, aggregator: Aggregator? = nil, granularity: QuantizationGranularity,
                 outlierProb: Double = 1e-4, clippingValue: Double? = nil) {
        self.type = type
        self.aggregator = aggregator
        self.granularity = granularity
        self.outlierProb = outlierProb
        self.clippingValue = clippingValue
    }

    /// The engine statistic for one batch of activations of this border.
    package func statistic(isMax: Bool) -> StatisticFunction {
        let perChannel = granularity == .perChannel
        let q = isMax ? 1 - outlierProb : outlierProb
        switch type {
        case .min: return .min(perChannel: perChannel)
        case .max: return .max(perChannel: perChannel)
        case .absMax: return .absMax(perChannel: perChannel)
        case .quantile: return .quantile(q, perChannel: perChannel)
        case .absQuantile: return .absQuantile(q, perChannel: perChannel)
        }
    }

    /// A stable statistic name (POT's `get_stat_name_by_config` plus the granularity).
    package func statName(isMax: Bool) -> String {
        var s = (isMax ? "max_" : "min_") + type.rawValue
        if type == .quantile || type == .absQuantile { s += "_\(outlierProb)" }
        return s + (granularity == .perChannel ? "_pc" : "")
    }
}

/// The estimators of both borders of a quantizer (symmetric weights have only `max`).
package struct RangeEstimator: Hashable, Sendable {
    package var min: BorderEstimator?
    package var max: BorderEstimator?

    package init(min: BorderEstimator?, max: BorderEstimator?) {
        self.min = min
        self.max = max
    }

    /// POT's presets (`RANGE_ESTIMATOR_CONFIG_PRESETS`): `default` (min/max/abs_max) or `quantile`
    /// (outlier_prob 1e-4). Activations and outputs share the same table.
    package static func preset(_ name: RangeEstimatorParams.Preset, weights: Bool, mode: QuantizationMode,
                               granularity: QuantizationGranularity) -> RangeEstimator {
        let quantile = name == .quantile
        if weights {
            switch mode {
            case .symmetric:
                return RangeEstimator(min: nil, max: .init(type: quantile ? .absQuantile : .absMax, granularity: granularity))
            case .asymmetric:
                return RangeEstimator(min: .init(type: quantile ? .quantile : .min, granularity: granularity),
                                      max: .init(type: quantile ? .quantile : .max, granularity: granularity))
            }
        }
        let perChannel = granularity == .perChannel
        switch mode {
        case .symmetric:
            // The min border of a symmetric range only decides signedness: always per-tensor min.
            return RangeEstimator(
                min: .init(type: .min, aggregator: .min, granularity: .perTensor),
                max: .init(type: quantile ? .absQuantile : .absMax, aggregator: perChannel ? .max : .mean, granularity: granularity))
        case .asymmetric:
            return RangeEstimator(
                min: .init(type: quantile ? .quantile : .min, aggregator: perChannel ? .min : .mean, granularity: granularity),
                max: .init(type: quantile ? .quantile : .max, aggregator: perChannel ? .max : .mean, granularity: granularity))
        }
    }

    /// The preset for the quantizer's scheme with the user's overrides applied, as POT's
    /// `get_range_estimator_config`: the `weights`/`activations` section wins over the global one,
    /// `min`/`max` entries update the preset's (creating the border when absent), and a border
    /// without its own granularity takes the quantizer's.
    package static func resolve(_ params: RangeEstimatorParams, weights: Bool, mode: QuantizationMode,
                                granularity: QuantizationGranularity) -> RangeEstimator {
        var r = preset(params.preset, weights: weights, mode: mode, granularity: granularity)
        func apply(_ o: RangeEstimatorParams.Border?, to b: BorderEstimator?, isMax: Bool) -> BorderEstimator? {
            guard let o else { return b }
            var e = b ?? BorderEstimator(type: isMax ? .max : .min, granularity: granularity)
            if let t = o.type { e.type = t }
            if let a = o.aggregator { e.aggregator = a }
            if let g = o.granularity { e.granularity = g }
            if let p = o.outlierProb { e.outlierProb = p }
            if let c = o.clippingValue { e.clippingValue = c }
            return e
        }
        r.min = apply(params.min, to: r.min, isMax: false)
        r.max = apply(params.max, to: r.max, isMax: true)
        return r
    }
}

/// A user's `range_estimator` section (global, or under `weights`/`activations`).
package struct RangeEstimatorParams: Hashable, Sendable {
    package enum Preset: String, Hashable, Sendable, CaseIterable { case `default`, quantile }
    package struct Border: Hashable, Sendable {
        package var type: BorderEstimator.StatType?
        package var aggregator: BorderEstimator.Aggregator?
        package var granularity: QuantizationGranularity?
        package var outlierProb: Double?
        package var clippingValue: Double?
    }
    package var preset: Preset = .default
    package var min: Border?
    package var max: Border?

    package init(preset: Preset = .default, min: Border? = nil, max: Border? = nil) {
        self.preset = preset
        self.min = min
        self.max = max
    }

    /// Parses `{"preset": …, "min": {…}, "max": {…}}` strictly.
    package init(_ values: [String: ConfigValue], path: String) throws {
        let r = try ConfigReader(values, path: path, known: ["preset", "min", "max"])
        preset = Preset(rawValue: try r.string("preset", default: "default", allowed: Preset.allCases.map(\.rawValue))) ?? .default
        min = try r.dictionary("min").map { try Self.border($0, path: path + ".min") }
        max = try r.dictionary("max").map { try Self.border($0, path: path + ".max") }
    }

    static func border(_ values: [String: ConfigValue], path: String) throws -> Border {
        let r = try ConfigReader(values, path: path,
                                 known: ["type", "aggregator", "granularity", "outlier_prob", "clipping_value"])
        var b = Border()
        if let t = try r.optionalString("type") {
            _ = try r.string("type", default: "", allowed: BorderEstimator.StatType.allCases.map(\.rawValue))
            b.type = BorderEstimator.StatType(rawValue: t)
        }
        if let a = try r.optionalString("aggregator") {
            _ = try r.string("aggregator", default: "", allowed: BorderEstimator.Aggregator.allCases.map(\.rawValue))
            b.aggregator = BorderEstimator.Aggregator(rawValue: a)
        }
        if let g = try r.optionalString("granularity") {
            _ = try r.string("granularity", default: "", allowed: ["pertensor", "perchannel"])
            b.granularity = QuantizationGranularity(rawValue: g)
        }
        if values["outlier_prob"] != nil {
            let p = try r.double("outlier_prob", default: 1e-4)
            guard p >= 0 && p < 0.5 else { throw OVIRError("\(path).outlier_prob: expected a probability in [0, 0.5), found \(p)") }
            b.outlierProb = p
        }
        if values["clipping_value"] != nil { b.clippingValue = try r.double("clipping_value", default: 0) }
        return b
    }
}
