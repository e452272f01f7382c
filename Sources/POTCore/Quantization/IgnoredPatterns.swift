/// The sub-graphs POT leaves unquantized, and the marking pass.
///
/// Sources: POT `graph/special_patterns.py` (patterns for every device), `graph/cpu_patterns.py` and
/// `graph/gpu_patterns.py` (the same for CPU/ANY/GPU), `graph/pattern_utils.py` (the fused Conv/FC
/// families and their branching checks), `graph/passes.py` `SpecialBlocksMarker`. Every op of a match
/// except the ones labelled `input`/`output` is marked skipped: no FakeQuantize is inserted for it
/// and no FakeQuantize moves up through it.
enum IgnoredPatterns {
    static let convOrFC: Set<String> = ["Convolution", "MatMul"]
    static let withWeights: Set<String> = ["Convolution", "ConvolutionBackpropData", "GroupConvolution",
                                           "GroupConvolutionBackpropData", "MatMul"]
    static let eltwise: Set<String> = ["Add", "Multiply", "Subtract", "Divide", "Less", "LessEqual", "Greater",
                                       "GreaterEqual", "Equal", "NotEqual", "FloorMod", "LogicalOr", "LogicalXor",
                                       "LogicalAnd", "Maximum", "Minimum"]
    static let activation: Set<String> = ["ReLU", "PReLU", "Activation", "Sigmoid"]

    /// Conv/FC, optionally + bias Add(const), optionally + activation (POT `fc_conv_fused_basis_patterns`).
    static func fusedBases(_ name: String, check: GraphPattern.Check) -> [PatternChain] {
        var out: [PatternChain] = []
        for (bias, act) in [(false, false), (true, false), (false, true), (true, true)] {
            var c = PatternChain(name, check: check)
            c.op(convOrFC, "input")
            if bias { c.opConst(["Add"], "bias") }
            if act { c.op(activation, "activation") }
            out.append(c)
        }
        return out
    }

    static func deviceBlocks() -> [GraphPattern] {
        var out: [GraphPattern] = []
        for var c in fusedBases("fused_scale_shift", check: .scaleShiftBranching) {
            c.opConst(["Multiply"], "scaleshift_multiply")
            c.opConst(["Add"], "scaleshift_add")
            out.append(c.pattern)
        }
        for var c in fusedBases("fused_op_const", check: .eltwiseBranching) {
            c.opConst(eltwise, "eltwise")
            out.append(c.pattern)
        }
        // Vision-transformer attention: SoftMax and Add→Reshape→Transpose→Gather into one MatMul.
        var a = PatternChain("softmax_reshape_transpose_gather_matmul")
        let soft = a.op(["SoftMax"], "softmax")
        a.startChain()
        a.op(["Add"], "add")
        a.opConst(["Reshape"], "reshape")
        a.op(["Transpose"], "transpose")
        let gather = a.op(["Gather"], "gather")
        a.op(["MatMul"], "matmul", inputs: [soft, gather])
        out.append(a.pattern)
        return out
    }

    static func deviceActivations() -> [GraphPattern] {
        var c = PatternChain("hswish_activation_clamp_multiply")
        c.op(["Clamp"], "clamp")
        c.opConst(["Multiply"], "multiply")
        return [c.pattern]
    }

    static func seBlock(swish: Bool) -> GraphPattern {
        var c = PatternChain(swish ? "se_block_swish_activation" : "se_block")
        c.op(["ReduceMean"], "input")
        c.op(convOrFC, "conv_fc")
        c.opConst(["Add"], "bias")
        if swish { c.op(["Swish"], "swish") } else { c.op(["ReLU", "PReLU"], "act") }
        c.op(convOrFC, "conv_fc")
        c.opConst(["Add"], "bias")
        c.op(["Sigmoid"], "act")
        c.op(["Multiply"], "output")
        return c.pattern
    }

    static func genericBlocks() -> [GraphPattern] {
        var out = [seBlock(swish: false), seBlock(swish: true)]
        func chain(_ name: String, _ build: (inout PatternChain) -> Void) {
            var c = PatternChain(name)
            build(&c)
            out.append(c.pattern)
        }
        chain("operation_with_bias") { $0.op(withWeights, "input"); $0.opConst(["Add"], "bias") }
        chain("scale_shift_add") { $0.op(["Multiply"], "input"); $0.opConst(["Add"], "add") }
        chain("add_scale_shift") {
            $0.op(["Add"], "input"); $0.opConst(["Multiply"], "multiply"); $0.opConst(["Add"], "add")
            $0.op(["Result"], "result")
        }
        chain("mvn_scale_shift") {
            $0.op(["MVN"], "input"); $0.opConst(["Multiply"], "scaleshift_multiply"); $0.opConst(["Add"], "scaleshift_add")
        }
        chain("normalize_l2") { $0.op(["NormalizeL2"], "input"); $0.op(["Multiply"], "multiply") }
        chain("softmax") {
            let exp = $0.op(["Exp"], "exp")
            $0.opConst(["ReduceSum"], "reduce")
            let power = $0.opConst(["Power"], "power")
            $0.op(["Multiply"], "mul", inputs: [exp, power])
        }
        chain("softmax_div") {
            let exp = $0.op(["Exp"], "exp")
            let reduce = $0.opConst(["ReduceSum"], "reduce")
            $0.op(["Divide"], "div", inputs: [exp, reduce])
        }
        chain("softmax_reshape_matmul") {
            $0.op(["SoftMax"], "softmax")
            let reshaped = $0.opConst(["Reshape"], "softmax")
            $0.startChain()
            $0.op(["Add"], "add"); $0.opConst(["Reshape"], "reshape")
            let transposed = $0.op(["Transpose"], "transpose")
            $0.op(["MatMul"], "matmul", inputs: [transposed, reshaped])
        }
        chain("softmax_reshape_transpose_matmul") {
            let soft = $0.op(["SoftMax"], "softmax")
            $0.startChain()
            $0.op(["Add"], "add"); $0.opConst(["Reshape"], "reshape")
            let transposed = $0.op(["Transpose"], "transpose")
            $0.op(["MatMul"], "matmul", inputs: [transposed, soft])
        }
        chain("stable_diffusion") {
            let soft = $0.op(["SoftMax"], "softmax")
            $0.startChain()
            $0.op(["Reshape"], "reshape1"); $0.op(["Transpose"], "transpose")
            let r2 = $0.op(["Reshape"], "reshape2")
            $0.op(["MatMul"], "matmul", inputs: [r2, soft])
        }
        for withMul in [false, true] {
            chain(withMul ? "hswish_activation" : "hswish_activation_without_denominator") {
                $0.op(convOrFC, "input")
                let x = $0.opConst(["Add"], "bias")
                $0.opConst(["Add"], "add")
                let clamp = $0.op(["Clamp"], "clamp")
                $0.op(["Multiply"], "mul", inputs: [x, clamp])
                if withMul { $0.opConst(["Multiply"], "multiply") }
            }
        }
        chain("hswish_activation_v2") {
            let x = $0.op(["Add", "Multiply", "ReduceMean", "Squeeze"], "input")
            $0.opConst(["Add"], "add", input: x)
            $0.op(["Clamp"], "clamp")
            let scaled = $0.opConst(["Multiply"], "multiply")
            $0.op(["Multiply"], "mul", inputs: [x, scaled])
        }
        chain("fc_bn_hswish_activation") {
            $0.opConst(["Unsqueeze"], "unsqueeze"); $0.opConst(["Multiply"], "multiply")
            $0.opConst(["Add"], "add"); $0.opConst(["Squeeze"], "squeeze")
        }
        chain("batch_index") {
            $0.op(["Subtract"], "subtract"); $0.op(["Multiply"], "multiply"); $0.opConst(["Multiply"], "multiply")
            $0.op(["Add"], "add"); $0.op(["Unsqueeze"], "unsqueeze"); $0.op(["Concat"], "concat")
            $0.opConst(["Concat"], "concat"); $0.op(["Reshape"], "reshape"); $0.op(["Convolution"], "convolution")
        }
        chain("experimental_detectron_detection_output_add") {
            $0.op(["ExperimentalDetectronDetectionOutput"], "ExperimentalDetectronDetectionOutput")
            $0.opConst(["Add"], "add")
        }
        chain("experimental_detectron_roi_feature_extractor_add") {
            $0.op(["ExperimentalDetectronROIFeatureExtractor"], "ExperimentalDetectronROIFeatureExtractor")
            $0.opConst(["Add"], "add")
        }
        chain("equal_logicalnot") { $0.op(["Equal"], "equal"); $0.op(["LogicalNot"], "logicalnot") }
        return out
    }

    static func genericActivations() -> [GraphPattern] {
        var c = PatternChain("swish_activation")
        c.op(convOrFC, "input")
        c.opConst(["Add"], "bias")
        c.op(["Swish"], "swish")
        return [c.pattern]
    }

    /// Preprocessing at the model inputs (scale/shift, mean subtraction, channel reversal).
    static func genericInputs() -> [GraphPattern] {
        var out: [GraphPattern] = []
        let prefixes: [(String, [Set<String>])] = [("input", []), ("input_transpose", [["Transpose"]]),
                                                    ("input_convert_transpose", [["Convert"], ["Transpose"]])]
        for (name, prefix) in prefixes {
            func start(_ suffix: String) -> PatternChain {
                var c = PatternChain("\(name)_\(suffix)")
                c.op(["Parameter"], "input")
                for t in prefix { c.op(t, t.first!.lowercased()) }
                return c
            }
            var ss = start("scale_shift")
            ss.opConst(["Multiply"], "scaleshift_multiply"); ss.opConst(["Add"], "scaleshift_add")
            var add = start("add")
            add.opConst(["Add"], "add")
            var mul = start("multiply")
            mul.op(["Multiply"], "multiply")
            var rss = start("reverse_input_channels_scale_shift")
            rss.opConst(["Split"], "split"); rss.op(["Concat"], "concat")
            rss.opConst(["Multiply"], "scaleshift_multiply"); rss.opConst(["Add"], "scaleshift_add")
            var radd = start("reverse_input_channels_add")
            radd.opConst(["Split"], "split"); radd.op(["Concat"], "concat"); radd.opConst(["Add"], "add")
            out += [ss.pattern, add.pattern, mul.pattern, rss.pattern, radd.pattern]
            if prefix.isEmpty {
                var sub = start("subtract")
                sub.op(["Subtract"], "subtract")
                out.append(sub.pattern)
            }
        }
        return out
    }

    /// Every pattern POT applies for the device, in POT's order (device patterns, then generic ones).
    static func all(for device: PlacementConfig.TargetDevice) -> [GraphPattern] {
        deviceBlocks() + deviceActivations() + genericActivations() + genericBlocks() + genericInputs()
    }
}
