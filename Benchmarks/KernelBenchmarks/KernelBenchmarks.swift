import Benchmark
import Foundation
import OVInterpreter

// Kernel shapes of the perf models (docs/PERFORMANCE.md) and of the shared fixtures. Each benchmark
// runs one compiled single-op model; "MFLOP/s" counts 2 FLOPs per multiply-add for GEMM-like ops and
// one per output element for pointwise ones.

let mflops = BenchmarkMetric.custom("MFLOP/s", polarity: .prefersLarger, useScalingFactor: false)

struct Case: Sendable {
    let name: String
    let flops: Double
    let build: @Sendable (ModelBuilder) -> OutputRef
}

let cases: [Case] = [
    // Packed convolution GEMM (PackedConvGemm, K > 160): ResNet-18/50 stage shapes, strided,
    // grouped and deep 1x1 convolutions.
    Case(name: "conv3x3 64->64 @56 (packed GEMM 64x3136x576)", flops: 2.0 * 64 * 64 * 9 * 56 * 56) { b in
        b.op("Convolution", [b.parameter([1, 64, 56, 56]), b.constant(b.random([64, 64, 3, 3], scale: 0.1))], ModelBuilder.conv(1, 1))
    },
    Case(name: "conv3x3 128->128 @28 (packed GEMM 128x784x1152)", flops: 2.0 * 128 * 128 * 9 * 28 * 28) { b in
        b.op("Convolution", [b.parameter([1, 128, 28, 28]), b.constant(b.random([128, 128, 3, 3], scale: 0.05))], ModelBuilder.conv(1, 1))
    },
    Case(name: "conv3x3 256->256 @14 (packed GEMM 256x196x2304)", flops: 2.0 * 256 * 256 * 9 * 14 * 14) { b in
        b.op("Convolution", [b.parameter([1, 256, 14, 14]), b.constant(b.random([256, 256, 3, 3], scale: 0.03))], ModelBuilder.conv(1, 1))
    },
    Case(name: "conv3x3 512->512 @7 (packed GEMM 512x49x4608)", flops: 2.0 * 512 * 512 * 9 * 7 * 7) { b in
        b.op("Convolution", [b.parameter([1, 512, 7, 7]), b.constant(b.random([512, 512, 3, 3], scale: 0.02))], ModelBuilder.conv(1, 1))
    },
    Case(name: "conv3x3 s2 64->128 @56 (packed GEMM 128x784x576)", flops: 2.0 * 128 * 64 * 9 * 28 * 28) { b in
        b.op("Convolution", [b.parameter([1, 64, 56, 56]), b.constant(b.random([128, 64, 3, 3], scale: 0.1))], ModelBuilder.conv(2, 1))
    },
    Case(name: "conv1x1 256->64 @56 (packed GEMM 64x3136x256)", flops: 2.0 * 256 * 64 * 56 * 56) { b in
        b.op("Convolution", [b.parameter([1, 256, 56, 56]), b.constant(b.random([64, 256, 1, 1], scale: 0.06))], ModelBuilder.conv(1, 0))
    },
    Case(name: "groupconv3x3 2 groups 128->128 @56 (packed GEMM 2x 64x3136x576)", flops: 2.0 * 128 * 64 * 9 * 56 * 56) { b in
        b.op("GroupConvolution", [b.parameter([1, 128, 56, 56]), b.constant(b.random([2, 64, 64, 3, 3], scale: 0.1))], ModelBuilder.conv(1, 1))
    },
    Case(name: "conv1x1 24->144 @56 (sgemm 144x3136x24)", flops: 2.0 * 144 * 24 * 56 * 56) { b in
        b.op("Convolution", [b.parameter([1, 24, 56, 56]), b.constant(b.random([144, 24, 1, 1]))], ModelBuilder.conv(1, 0))
    },
    Case(name: "conv1x1 144->24 @56 (sgemm 24x3136x144)", flops: 2.0 * 144 * 24 * 56 * 56) { b in
        b.op("Convolution", [b.parameter([1, 144, 56, 56]), b.constant(b.random([24, 144, 1, 1]))], ModelBuilder.conv(1, 0))
    },
    Case(name: "conv1x1 16->96 @112 (sgemm 96x12544x16)", flops: 2.0 * 96 * 16 * 112 * 112) { b in
        b.op("Convolution", [b.parameter([1, 16, 112, 112]), b.constant(b.random([96, 16, 1, 1]))], ModelBuilder.conv(1, 0))
    },
    Case(name: "matmul 128x768 * 768x3072", flops: 2.0 * 128 * 768 * 3072) { b in
        b.op("MatMul", [b.parameter([1, 128, 768]), b.constant(b.random([768, 3072], scale: 0.05))], ["transpose_a": "false", "transpose_b": "false"])
    },
    Case(name: "matmul 128x3072 * 3072x768", flops: 2.0 * 128 * 768 * 3072) { b in
        b.op("MatMul", [b.parameter([1, 128, 3072]), b.constant(b.random([3072, 768], scale: 0.05))], ["transpose_a": "false", "transpose_b": "false"])
    },
    Case(name: "matmul attention QK^T 12x128x128x64", flops: 2.0 * 12 * 128 * 128 * 64) { b in
        b.op("MatMul", [b.parameter([1, 12, 128, 64]), b.parameter([1, 12, 128, 64])], ["transpose_a": "false", "transpose_b": "true"])
    },
    Case(name: "depthwise 3x3 144ch @56", flops: 2.0 * 144 * 9 * 56 * 56) { b in
        b.op("GroupConvolution", [b.parameter([1, 144, 56, 56]), b.constant(b.random([144, 1, 1, 3, 3]))], ModelBuilder.conv(1, 1))
    },
    Case(name: "depthwise 3x3 s2 96ch @112", flops: 2.0 * 96 * 9 * 56 * 56) { b in
        b.op("GroupConvolution", [b.parameter([1, 96, 112, 112]), b.constant(b.random([96, 1, 1, 3, 3]))], ModelBuilder.conv(2, 1))
    },
    Case(name: "add per-channel [1,144,56,56]+[1,144,1,1]", flops: 144.0 * 56 * 56) { b in
        b.op("Add", [b.parameter([1, 144, 56, 56]), b.constant(b.random([1, 144, 1, 1]))])
    },
    Case(name: "add same shape [1,64,56,56]", flops: 64.0 * 56 * 56) { b in
        b.op("Add", [b.parameter([1, 64, 56, 56]), b.parameter([1, 64, 56, 56])])
    },
    Case(name: "softmax 12x128x128 (last axis)", flops: 12.0 * 128 * 128) { b in
        b.op("SoftMax", [b.parameter([1, 12, 128, 128])], ["axis": "-1"], version: "opset8")
    },
    Case(name: "mvn 128x768 (last axis)", flops: 128.0 * 768) { b in
        b.op("MVN", [b.parameter([1, 128, 768]), b.constant(Tensor(shape: [1], scalars: [-1] as [Int64]))],
             ["eps": "1e-5", "eps_mode": "inside_sqrt", "normalize_variance": "true"], version: "opset6")
    },
    Case(name: "gelu(erf) 128x3072", flops: 128.0 * 3072) { b in
        b.op("Gelu", [b.parameter([1, 128, 3072])], ["approximation_mode": "erf"], version: "opset7")
    },
]

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, mflops], warmupIterations: 3, maxDuration: .seconds(2))
    FileHandle.standardError.write(Data("OpenBLAS core: \(BLASInfo.coreName) (\(BLASInfo.coreSource))\n".utf8))
    // The machine's single-core FMA peak, the yardstick for the GEMM-bound cases below.
    Benchmark("peak: SIMD8 FMA, 12 register chains (no memory)") { benchmark in
        for _ in benchmark.scaledIterations {
            benchmark.measurement(mflops, Int(PeakFLOPS.measure(seconds: 0.05) * 1000))
        }
    }
    for c in cases {
        let b = ModelBuilder()
        let out = c.build(b)
        guard let model = try? b.compile(out) else {
            FileHandle.standardError.write(Data("skipping \(c.name): the model does not compile\n".utf8))
            continue
        }
        let inputs = b.inputs, flops = c.flops
        Benchmark(c.name) { benchmark in
            for _ in benchmark.scaledIterations {
                let start = DispatchTime.now().uptimeNanoseconds
                blackHole(try? model.infer(inputs))
                let ns = Double(DispatchTime.now().uptimeNanoseconds - start)
                benchmark.measurement(mflops, Int(flops / ns * 1000))
            }
        }
    }
}
