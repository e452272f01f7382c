import OVIR

/// POT's DefaultQuantization (`algorithms/quantization/default/algorithm.py`):
/// ActivationChannelAlignment, then MinMaxQuantization, then FastBiasCorrection (or BiasCorrection
/// with `use_fast_bias: false`), all with the same parameters and calibration subset.
package final class DefaultQuantization: Algorithm {
    package let name = "DefaultQuantization"
    package let params: QuantizationParams
    package let minMax: MinMaxQuantization

    package init(params: QuantizationParams) {
        self.params = params
        minMax = MinMaxQuantization(params: params)
        minMax.channelAlignment = true
    }

    package convenience init(config: AlgorithmConfig) throws {
        self.init(params: try QuantizationParams(config.params, algorithm: config.name))
    }

    package func run(_ model: CompressedModel, engine: any Engine) throws -> CompressedModel {
        var current = model
        current = try minMax.run(current, engine: engine)
        return current
    }
}
