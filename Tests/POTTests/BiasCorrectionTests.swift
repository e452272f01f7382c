import Foundation
import Testing
import POT
import _TestSupport

/// DefaultQuantization with `use_fast_bias: false` (BiasCorrection) on the interpreter, against the
/// real POT run on the same model, data and parameters (fixtures/pot/<case>/, made by
/// scripts/make_pot_fixtures.py): every FakeQuantize range and every bias constant after correction.
@Suite("BiasCorrection vs POT")
struct BiasCorrectionTests {
    /// The fixture's calibration inputs: `calib_<input>.npy`, samples stacked on axis 0.
    struct Inputs: DataLoader {
        let arrays: [String: Tensor]
        var count: Int { arrays.values.first?.shape.first ?? 0 }
        func item(at i: Int) throws -> DataItem<Int> {
            DataItem(data: .named(try arrays.mapValues { try $0.slice(batch: i) }), annotation: 0)
        }
    }

    static func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url(path))) as? [String: Any])
    }

    /// Runs DefaultQuantization as the fixture's POT run did; returns the quantized graph and what it corrected.
    static func quantize(_ fixture: String, model: String, inputs: [String]) throws -> (Graph, DefaultQuantization) {
        let dir = "pot/\(fixture)/"
        var arrays: [String: Tensor] = [:]
        for name in inputs { arrays[name] = try Tensor(npyFile: Fixtures.url(dir + "calib_\(name).npy")) }
        let info = try json(dir + "fq.json")
        let params = try #require(info["params"] as? [String: Any])
        var config: [String: ConfigValue] = [:]
        for (k, v) in params {
            if k == "use_fast_bias", let b = v as? Bool { config[k] = .bool(b) }
            else if let s = v as? String { config[k] = .string(s) }
            else if let i = v as? Int { config[k] = .int(i) }
            else { Issue.record("unexpected parameter \(k)") }
        }
        let fp32 = try loadModel(ModelConfig(modelName: model, model: Fixtures.path(dir + model + ".xml")))
        let engine = IEEngine(config: EngineConfig(threads: 2), dataLoader: Inputs(arrays: arrays))
        let algo = try DefaultQuantization(config: AlgorithmConfig(name: "DefaultQuantization", params: config))
        let q = try algo.run(fp32, engine: engine)
        return (q.graph, algo)
    }

    /// Largest |ours − POT| / max(|POT|, 1) over every FakeQuantize range value.
    static func worstRangeError(_ g: Graph, fixture: String) throws -> (Double, Int) {
        let info = try json("pot/\(fixture)/fq.json")
        let fqs = try #require(info["fake_quantize"] as? [[String: Any]])
        var worst = 0.0
        for fq in fqs {
            let name = try #require(fq["name"] as? String)
            let node = try #require(g.node(named: name), "no FakeQuantize \(name)")
            for (k, key) in ["input_low", "input_high", "output_low", "output_high"].enumerated() {
                let exp = try #require((fq[key] as? [String: Any])?["values"] as? [Double])
                let mine = try #require(node.inputs[k + 1].source?.node.constant).doubleValues()
                #expect(mine.count == exp.count, "\(name) \(key)")
                for (a, b) in zip(mine, exp) { worst = max(worst, abs(a - b) / max(abs(b), 1)) }
            }
        }
        #expect(g.nodes.filter { $0.type == "FakeQuantize" }.count == fqs.count)
        return (worst, fqs.count)
    }

    /// Per bias: largest |ours − POT| / max(|POT|, 1), and whether POT changed it from the FP32 model.
    static func biasErrors(_ g: Graph, fixture: String) throws -> [(op: String, error: Double, moved: Bool)] {
        let info = try json("pot/\(fixture)/biases.json")
        var out: [(String, Double, Bool)] = []
        for b in try #require(info["biases"] as? [[String: Any]]) {
            let add = try #require(b["add"] as? String)
            let exp = try #require(b["values"] as? [Double])
            let node = try #require(g.node(named: add), "no bias Add \(add)")
            let bias = try #require(node.inputs.compactMap { $0.source?.node }.first { $0.type == "Const" }?.constant)
            #expect(bias.shape == (b["shape"] as? [Int] ?? []), "\(add) shape")
            let mine = bias.doubleValues()
            var err = 0.0
            for (a, e) in zip(mine, exp) { err = max(err, abs(a - e) / max(abs(e), 1)) }
            out.append((b["op"] as? String ?? add, err, (b["fp32_values"] as? [Double]).map { $0 != exp } ?? false))
        }
        return out
    }

    /// Every sub-graph is fed and read at the layers POT's were (as sets: the order in which POT lists a
    /// branch's statistics layers follows its graph's edge order), in POT's order of ops.
    static func checkSubgraphs(_ algo: DefaultQuantization, fixture: String) throws {
        let info = try json("pot/\(fixture)/biases.json")
        let pot = try #require(info["subgraphs"] as? [String: [String: [String]]])
        #expect(Set(algo.corrections.map(\.op)) == Set(pot.keys))
        for c in algo.corrections {
            let p = try #require(pot[c.op], "POT has no sub-graph for \(c.op)")
            #expect(Set(c.subgraphInputs) == Set(p["inputs"] ?? []) && c.subgraphInputs.count == p["inputs"]?.count,
                    "\(c.op) inputs: ours \(c.subgraphInputs), POT \(p["inputs"] ?? [])")
            #expect(Set(c.subgraphOutputs) == Set(p["outputs"] ?? []) && c.subgraphOutputs.count == p["outputs"]?.count,
                    "\(c.op) outputs: ours \(c.subgraphOutputs), POT \(p["outputs"] ?? [])")
        }
    }

    @Test("ResNet-like: POT's corrected biases (convolutions, depthwise, MatMul) and ranges")
    func resnetLike() throws {
        let (g, algo) = try Self.quantize("resnet_like_bias_correction", model: "resnet_like", inputs: ["image"])
        let (worst, count) = try Self.worstRangeError(g, fixture: "resnet_like_bias_correction")
        #expect(count == 26 && worst < 1e-4, "worst range error \(worst)")
        let errors = try Self.biasErrors(g, fixture: "resnet_like_bias_correction")
        #expect(errors.count == 13)
        for e in errors { #expect(e.error < 1e-4, "\(e.op): bias differs from POT's by \(e.error)") }
        // POT moved 10 biases (the SE convolutions have unquantized weights; the stem's zero bias stays 0).
        #expect(errors.filter(\.moved).map(\.op).sorted() ==
                ["b1c1", "b1c2", "ba", "bb", "dw", "fc", "head", "hs", "post", "pw"])
        let applied = algo.corrections.filter(\.applied).map(\.op)
        #expect(Set(applied) == ["b1c1", "b1c2", "ba", "bb", "dw", "fc", "head", "hs", "post", "pw"])
        #expect(algo.corrections.first { $0.op == "stem" }?.applied == false)
        // POT's quirks: pool1 (a MaxPool with two outputs) never becomes an input, so b1c1's and b1c2's
        // sub-graphs start at the model input; the stem's zero bias is never moved.
        try Self.checkSubgraphs(algo, fixture: "resnet_like_bias_correction")
        #expect(algo.corrections.first { $0.op == "b1c2" }.map { Set($0.subgraphInputs) } == ["image", "b1c1/relu"])
    }

    @Test("Token MLP: POT's corrected [1, 1, C] MatMul biases (channels last, a branch, no transpose_b)")
    func mlpTokens() throws {
        let (g, algo) = try Self.quantize("mlp_tokens_bias_correction", model: "mlp_tokens", inputs: ["tokens"])
        let (worst, count) = try Self.worstRangeError(g, fixture: "mlp_tokens_bias_correction")
        #expect(count == 9 && worst < 1e-4, "worst range error \(worst)")
        let errors = try Self.biasErrors(g, fixture: "mlp_tokens_bias_correction")
        #expect(errors.map(\.op) == ["fc1", "fc2a", "fc2b", "head"] && errors.allSatisfy(\.moved))
        for e in errors { #expect(e.error < 1e-4, "\(e.op): bias differs from POT's by \(e.error)") }
        // fc2a and fc2b share their input (fc1/relu, recorded by fc1's sub-graph); head reads merge/relu.
        let fc2b = try #require(algo.corrections.first { $0.op == "fc2b" })
        #expect(fc2b.subgraphInputs == ["fc1/relu"] && fc2b.subgraphOutputs == ["merge/relu"])
        #expect(algo.corrections.first { $0.op == "fc1" }?.subgraphInputs == ["tokens"])
        try Self.checkSubgraphs(algo, fixture: "mlp_tokens_bias_correction")
    }

    @Test("Transformer block: POT leaves 1-D MatMul biases as they are (shape ≠ channel shape)")
    func transformerBlock() throws {
        let (g, algo) = try Self.quantize("transformer_block_bias_correction", model: "transformer_block", inputs: ["hidden", "mask"])
        let (worst, count) = try Self.worstRangeError(g, fixture: "transformer_block_bias_correction")
        #expect(count == 12 && worst < 1e-4, "worst range error \(worst)")
        let errors = try Self.biasErrors(g, fixture: "transformer_block_bias_correction")
        #expect(errors.count == 6)
        for e in errors { #expect(e.error < 1e-9 && !e.moved, "\(e.op): \(e.error)") }
        #expect(algo.corrections.count == 6 && algo.corrections.allSatisfy { !$0.applied && $0.magnitude.isFinite })
        // ffn_in reads ln1/beta as POT does: with its FP32 values (a "first biased op after a Parameter"
        // through the residual path), not the values attn_out's sub-graph recorded.
        try Self.checkSubgraphs(algo, fixture: "transformer_block_bias_correction")
    }

    @Test("Cascades are refused with a clear error (POT runs them through its engine instead)")
    func cascadeIsRefused() throws {
        let loader = try DigitsLoader.load()
        let cascade = try loadModel(CascadeTests.config())
        let algo = try DefaultQuantization(config: AlgorithmConfig(name: "DefaultQuantization", params: [
            "use_fast_bias": false, "stat_subset_size": 4]))
        #expect {
            _ = try algo.run(cascade, engine: IEEngine(dataLoader: loader))
        } throws: { String(describing: $0).contains("use_fast_bias: false") && String(describing: $0).contains("cascades") }
    }
}
