// The complete client of the POT API contract (/work/shared/spec/POT_API.md, "A complete client"),
// verbatim below this comment. Run from a folder holding digits.xml/.bin, x.npy and y.npy
// (fixtures/pot/digits); it saves the quantized model to out/digits_int8.xml.
import Foundation
import POT

struct Digits: DataLoader {
  let x: Tensor, y: [Int]
  var count: Int { y.count }
  func item(at i: Int) throws -> DataItem<Int> {
    DataItem(data: .tensor(try x.slice(batch: i)), annotation: y[i])   // x[i:i+1]
  }
}
final class Top1: Metric {
  private var hits: [Double] = []
  var value: [String: [Double]] { ["top1": hits.suffix(1)] }
  var avgValue: [String: Double] { ["top1": hits.isEmpty ? 0 : hits.reduce(0, +) / Double(hits.count)] }
  var higherBetter: Bool { true }
  var attributes: [String: [String: String]] { ["top1": ["direction": "higher-better", "type": "accuracy"]] }
  func update(output: [Tensor], annotation: Int) throws {
    let p = try output[0].scalars(as: Float.self)
    hits.append(p.indices.max(by: { p[$0] < p[$1] }) == annotation ? 1 : 0)
  }
  func reset() { hits = [] }
}

let model = try loadModel(ModelConfig(modelName: "digits", model: "digits.xml"))
let labels = try Tensor(npyFile: URL(fileURLWithPath: "y.npy")).scalars(as: Int64.self).map { Int($0) }
let loader = Digits(x: try Tensor(npyFile: URL(fileURLWithPath: "x.npy")), y: labels)
let engine = IEEngine(dataLoader: loader, metric: Top1())
let pipeline = try createPipeline([AlgorithmConfig(name: "DefaultQuantization",
    params: ["preset": "performance", "stat_subset_size": 300])], engine: engine)
let quantized = try pipeline.run(model)
print(try pipeline.evaluate(quantized) ?? [:])
print(try saveModel(quantized, savePath: "out", modelName: "digits_int8"))
