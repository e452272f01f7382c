#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Maps one batch's activation to a statistic, as POT's activation statistics do
/// (`statistics/functions/activations.py`): per-tensor results have shape `[batch]` (a tensor of
/// rank < 2 gives `[1]`), per-channel results `[batch, channels]` with channels on axis 1 (a
/// tensor of rank < 3 is returned as it is).
///
/// Built-ins are computed by the engine on each tensor as it is produced (no copies of whole
/// activations); `.custom` receives the activation itself.
public struct StatisticFunction: @unchecked Sendable {
    /// The built-in reductions (numpy's min, max, max of |x|, mean, linear quantile, quantile of |x|).
    public enum Kind: Sendable, Hashable {
        case min, max, absMax, mean, quantile(Double), absQuantile(Double)
    }
    /// The built-in reduction, or nil for `.custom`.
    public let kind: Kind?
    /// Whether the result is per channel (`[batch, channels]`) rather than per tensor (`[batch]`).
    public let perChannel: Bool
    let body: (@Sendable (Tensor) throws -> Tensor)?

    init(kind: Kind, perChannel: Bool) {
        self.kind = kind
        self.perChannel = perChannel
        self.body = nil
    }

    /// The minimum (POT's `min`).
    public static func min(perChannel: Bool = false) -> StatisticFunction { .init(kind: .min, perChannel: perChannel) }
    /// The maximum (POT's `max`).
    public static func max(perChannel: Bool = false) -> StatisticFunction { .init(kind: .max, perChannel: perChannel) }
    /// The maximum of absolute values (POT's `abs_max`).
    public static func absMax(perChannel: Bool = false) -> StatisticFunction { .init(kind: .absMax, perChannel: perChannel) }
    /// The mean (accumulated in Double).
    public static func mean(perChannel: Bool = false) -> StatisticFunction { .init(kind: .mean, perChannel: perChannel) }
    /// numpy's default (linear) quantile `q` in 0...1 (POT's `quantile`).
    public static func quantile(_ q: Double, perChannel: Bool = false) -> StatisticFunction { .init(kind: .quantile(q), perChannel: perChannel) }
    /// The quantile `q` of absolute values (POT's `abs_quantile`).
    public static func absQuantile(_ q: Double, perChannel: Bool = false) -> StatisticFunction { .init(kind: .absQuantile(q), perChannel: perChannel) }
    /// Any function of one batch's activation (the tensor itself, leading axis = batch).
    public static func custom(_ body: @escaping @Sendable (Tensor) throws -> Tensor) -> StatisticFunction {
        StatisticFunction(kind: nil, perChannel: false, body: body)
    }

    private init(kind: Kind?, perChannel: Bool, body: (@Sendable (Tensor) throws -> Tensor)?) {
        self.kind = kind
        self.perChannel = perChannel
        self.body = body
    }

    /// Computes the statistic of one batch's activation (any numeric element type; results are f32).
    public func compute(_ activation: Tensor) throws -> Tensor {
        if let body { return try body(activation) }
        guard let kind else { throw OVIRError("statistic has neither a kind nor a body") }
        let shape = activation.shape
        if perChannel {
            if shape.count < 3 { return activation }
            let n = shape[0], c = shape[1], inner = shape.dropFirst(2).reduce(1, *)
            return try Self.reduce(activation, groups: n * c, groupSize: inner, kind: kind, shape: [n, c])
        }
        if shape.count < 2 {
            return try Self.reduce(activation, groups: 1, groupSize: activation.count, kind: kind, shape: [1])
        }
        let n = shape[0]
        return try Self.reduce(activation, groups: n, groupSize: activation.count / Swift.max(n, 1), kind: kind, shape: [n])
    }

    /// Reduces `groups` consecutive runs of `groupSize` elements.
    static func reduce(_ t: Tensor, groups: Int, groupSize: Int, kind: Kind, shape: [Int]) throws -> Tensor {
        guard groupSize > 0 || groups == 0 else { throw OVIRError("cannot compute a statistic of an empty tensor \(t.shape)") }
        let values: [Float] = t.elementType == .f32 ? [] : t.floatValues()
        var out = [Float](repeating: 0, count: groups)
        var scratch: [Float] = []
        func run(_ p: UnsafePointer<Float>) {
            for g in 0..<groups {
                let x = UnsafeBufferPointer(start: p + g * groupSize, count: groupSize)
                switch kind {
                case .min: out[g] = x.reduce(Float.infinity) { Swift.min($0, $1) }
                case .max: out[g] = x.reduce(-Float.infinity) { Swift.max($0, $1) }
                case .absMax: out[g] = x.reduce(0) { Swift.max($0, abs($1)) }
                case .mean:
                    var s = 0.0
                    for v in x { s += Double(v) }
                    out[g] = Float(s / Double(groupSize))
                case .quantile(let q), .absQuantile(let q):
                    scratch.removeAll(keepingCapacity: true)
                    if case .absQuantile = kind { scratch.append(contentsOf: x.lazy.map { abs($0) }) } else { scratch.append(contentsOf: x) }
                    scratch.sort()
                    out[g] = Float(quantileOfSorted(scratch, q))
                }
            }
        }
        if t.elementType == .f32 {
            try t.withUnsafeBufferPointer(as: Float.self) { run($0.baseAddress!) }
        } else {
            values.withUnsafeBufferPointer { run($0.baseAddress!) }
        }
        return Tensor(shape: shape, scalars: out)
    }
}

/// numpy's default (linear) quantile of sorted values, computed in Double.
func quantileOfSorted(_ s: [Float], _ q: Double) -> Double {
    guard !s.isEmpty else { return .nan }
    let pos = q * Double(s.count - 1)
    let lo = Int(pos.rounded(.down)), hi = Swift.min(lo + 1, s.count - 1)
    let frac = pos - Double(lo)
    return Double(s[lo]) + (Double(s[hi]) - Double(s[lo])) * frac
}
