import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import OVInterpreter
import POTCore

struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Latency of one inference on random (seeded) inputs on the CPU interpreter.",
        discussion: """
        Prints median, min and p90 latency in milliseconds, throughput and the OpenBLAS core in use. \
        Float inputs are standard normal; integer inputs are uniform in 0..<n where n is the table \
        size of a Gather they index, else 0; dynamic dims are taken as 1.
        """)

    @Argument(help: "The model's IR .xml file.") var model: String
    @Option(help: "The weights file (default: the .bin beside the .xml).") var weights: String?
    @Option(help: "Timed inferences.") var iterations: Int = 50
    @Option(help: "Untimed inferences first.") var warmup: Int = 5
    @Option(help: "Interpreter threads (one level of parallelism; OpenBLAS stays at 1 thread).") var threads: Int = 1
    @Option(help: "Seed of the random inputs.") var seed: UInt64 = 0
    @Flag(name: .customLong("reference"), help: "Use reference kernels only (fast kernels off).") var referenceOnly = false
    @Flag(help: "Print each node's name, type, shapes, kernel and time to stderr (every run; use few iterations).") var trace = false
    @Flag(help: "Print {\"median_ms\", \"min_ms\", \"p90_ms\", \"cpu_median_ms\", \"iterations\", \"threads\", \"blas_core\", ...} on stdout.") var json = false

    func run() throws {
        try runReportingErrors {
            guard iterations >= 1 else { throw OVIRError("--iterations must be at least 1, found \(iterations)") }
            guard warmup >= 0 else { throw OVIRError("--warmup must be 0 or more, found \(warmup)") }
            guard threads >= 1 else { throw OVIRError("--threads must be at least 1, found \(threads)") }
            let graph = try IRReader.read(xmlPath: model, binPath: weights)
            ProcessMemory.trimFreeHeap()
            let compiled = try CompiledModel(graph: graph, options: CompileOptions(referenceKernelsOnly: referenceOnly, threads: threads, trace: trace))
            ProcessMemory.trimFreeHeap()
            var rng = SplitMix64(seed: seed)
            let inputs = compiled.inputs.map { io in randomInput(io, graph: graph, rng: &rng) }
            for _ in 0..<warmup { _ = try compiled.infer(inputs) }
            var times: [Double] = [], cpu: [Double] = []
            times.reserveCapacity(iterations)
            cpu.reserveCapacity(iterations)
            for _ in 0..<iterations {
                let cpuStart = ProcessMemory.cpuMilliseconds()
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try compiled.infer(inputs)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                cpu.append(ProcessMemory.cpuMilliseconds() - cpuStart)
            }
            report(LatencyStats(times), cpu: LatencyStats(cpu), memory: compiled.activationMemory, peakRSS: ProcessMemory.peakRSSBytes())
        }
    }

    private func report(_ s: LatencyStats, cpu: LatencyStats, memory m: ActivationMemory, peakRSS: Int) {
        let core = BLASInfo.coreName, source = BLASInfo.coreSource
        if json {
            let obj: [String: Any] = [
                "median_ms": s.median, "min_ms": s.min, "p90_ms": s.p90, "mean_ms": s.mean,
                "cpu_median_ms": cpu.median, "cpu_min_ms": cpu.min,
                "throughput_per_s": 1000 / s.median, "iterations": iterations, "warmup": warmup,
                "threads": threads, "blas_core": core, "blas_core_source": source, "reference_kernels": referenceOnly,
                "peak_rss_bytes": peakRSS, "weights_bytes": m.constantBytes, "activation_arena_bytes": m.arenaBytes,
                "activation_peak_live_bytes": m.peakLiveBytes, "largest_activation_bytes": m.largestActivationBytes,
            ]
            if let text = try? jsonText(obj) {
                print(text)
            }
            return
        }
        print("model: \(model)")
        print("threads: \(threads), iterations: \(iterations) (after \(warmup) warm-up)\(referenceOnly ? ", reference kernels" : "")")
        print(cFormat("latency: median %.3f ms, min %.3f ms, p90 %.3f ms, mean %.3f ms", s.median, s.min, s.p90, s.mean))
        print(cFormat("CPU time per inference (all threads): median %.3f ms, min %.3f ms", cpu.median, cpu.min))
        print(cFormat("throughput: %.2f inferences/s (1 / median)", 1000 / s.median))
        print("BLAS: OpenBLAS core \(core) (\(source))")
        let mib = { (b: Int) in b < 1_048_576 ? cFormat("%.1f KiB", Double(b) / 1024) : cFormat("%.2f MiB", Double(b) / 1_048_576) }
        print("memory: peak RSS \(mib(peakRSS)), weights \(mib(m.constantBytes)), activation arena \(mib(m.arenaBytes)) (peak live \(mib(m.peakLiveBytes)); two largest activations \(mib(m.largestActivationBytes.reduce(0, +))))")
    }

    /// A seeded random tensor for one model input.
    private func randomInput(_ io: ModelIO, graph: Graph, rng: inout SplitMix64) -> Tensor {
        let shape = (io.shape.dims ?? []).map { $0.staticValue ?? 1 }
        let count = shape.reduce(1, *)
        let t = io.elementType
        if t.isFloatingPoint {
            return Tensor(doubles: (0..<count).map { _ in rng.nextNormal() }, as: t, shape: shape)
        }
        if t == .boolean { return Tensor(doubles: Array(repeating: 0, count: count), as: t, shape: shape) }
        let upper = Swift.max(1, gatherTableSize(io, graph: graph) ?? 1)
        return Tensor(doubles: (0..<count).map { _ in Double(rng.next() % UInt64(upper)) }, as: t, shape: shape)
    }

    /// The size of the table a Gather indexes with this input (the data dim along its constant axis).
    private func gatherTableSize(_ io: ModelIO, graph: Graph) -> Int? {
        guard let param = graph.node(named: io.nodeName) else { return nil }
        for (node, input) in graph.consumers(of: param.output(0)) where node.type == "Gather" && input == 1 {
            guard let data = node.inputs[0].source?.node.constant else { continue }
            var axis = 0
            if node.inputs.count > 2, let a = node.inputs[2].source?.node.constant { axis = Int(a.int64Value(at: 0)) }
            if axis < 0 { axis += data.rank }
            if axis >= 0 && axis < data.rank { return data.shape[axis] }
        }
        return nil
    }
}

/// Median, min, p90 and mean of latencies in ms.
struct LatencyStats {
    let median: Double, min: Double, p90: Double, mean: Double

    init(_ times: [Double]) {
        let s = times.sorted()
        let n = s.count
        median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
        min = s[0]
        p90 = s[Swift.max(0, Int((0.9 * Double(n)).rounded(.up)) - 1)]
        mean = s.reduce(0, +) / Double(n)
    }
}

/// A small seeded generator (SplitMix64) with Box-Muller normals.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextUniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func nextNormal() -> Double {
        let u1 = Swift.max(nextUniform(), 1e-300), u2 = nextUniform()
        return (-2 * LibM.log(u1)).squareRoot() * LibM.cos(2 * Double.pi * u2)
    }
}
