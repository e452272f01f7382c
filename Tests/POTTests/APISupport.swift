import Foundation
import Testing
import POT
import _TestSupport

/// The digits fixture (fixtures/pot/digits, made by scripts/make_digits_fixture.py) as a dataset.
struct DigitsLoader: DataLoader {
    let x: Tensor, y: [Int]
    var count: Int { y.count }
    func item(at i: Int) throws -> DataItem<Int> {
        DataItem(data: .tensor(try x.slice(batch: i)), annotation: y[i], metadata: ["index": .number(Double(i))])
    }

    static func load() throws -> DigitsLoader {
        let y = try Tensor(npyFile: Fixtures.url("pot/digits/y.npy")).scalars(as: Int64.self).map { Int($0) }
        return DigitsLoader(x: try Tensor(npyFile: Fixtures.url("pot/digits/x.npy")), y: y)
    }
}

/// Top-1 accuracy of the first output (the contract's example metric).
final class Top1Metric: Metric {
    private(set) var hits: [Double] = []
    private(set) var updates = 0
    var value: [String: [Double]] { ["top1": hits.suffix(1)] }
    var avgValue: [String: Double] { ["top1": hits.isEmpty ? 0 : hits.reduce(0, +) / Double(hits.count)] }
    var attributes: [String: [String: String]] { ["top1": ["direction": "higher-better", "type": "accuracy"]] }
    func update(output: [Tensor], annotation: Int) throws {
        updates += 1
        let p = try output[0].scalars(as: Float.self)
        hits.append(p.indices.max(by: { p[$0] < p[$1] }) == annotation ? 1 : 0)
    }
    func reset() { hits = [] }
}

func digitsModel() throws -> CompressedModel {
    try loadModel(ModelConfig(modelName: "digits", model: Fixtures.path("pot/digits/digits.xml")))
}

/// Expects `actual` to equal `expected` within f32 tolerance: |a − e| ≤ 1e-4 · max(1, max |e|).
func expectClose(_ actual: Tensor, shape: [Int], values expected: [Double], _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == shape, "\(what): shape", sourceLocation: sourceLocation)
    let a = actual.doubleValues()
    guard a.count == expected.count else {
        Issue.record("\(what): \(a.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    let tol = 1e-4 * Swift.max(1, expected.map(abs).max() ?? 0)
    let worst = zip(a, expected).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= tol, "\(what): max |diff| \(worst) > \(tol)", sourceLocation: sourceLocation)
}

/// The text of the error `body` throws (or nil).
func errorText(_ body: () throws -> Void) -> String? {
    do { try body() } catch { return String(describing: error) }
    return nil
}
