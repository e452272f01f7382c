// swift-tools-version: 6.1
import PackageDescription
import Foundation

// MARK: - Code generation
// Swift's default x86-64 target has no FMA and scalarises SIMD min/max, which makes the SIMD kernels
// 100x slower (see docs/PERFORMANCE.md). When this package is built on its own (as the root package),
// the kernels are compiled for the build machine's vector ISA, read from /proc/cpuinfo.
// SWIFTPOT_TARGET_CPU overrides it: a clang CPU name ("haswell", "skylake-avx512", ...) or "none" for
// a portable baseline build (for an older x86-64 CPU). As a dependency of another package, no
// unsafe flag is added (SWIFTPOT_TARGET_CPU=none is implied), so the library stays usable there.
func kernelTargetCPU() -> String? {
    let env = ProcessInfo.processInfo.environment
    if let cpu = env["SWIFTPOT_TARGET_CPU"] { return cpu == "none" || cpu.isEmpty ? nil : cpu }
    #if arch(x86_64)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
    let flags = Set(flagsLine.split(separator: " ").map(String.init))
    if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "fma"]) { return "skylake-avx512" }
    if flags.isSuperset(of: ["avx2", "fma", "f16c"]) { return "haswell" }
    #endif
    return nil
}
let codegen: [SwiftSetting] = kernelTargetCPU().map { [.unsafeFlags(["-target-cpu", $0])] } ?? []

let package = Package(
    name: "SwiftPOT",
    products: [
        .library(name: "POT", targets: ["POT"]),
        .library(name: "OVIR", targets: ["OVIR"]),
        .library(name: "OVInterpreter", targets: ["OVInterpreter"]),
        .executable(name: "swiftpot", targets: ["swiftpot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - System libraries
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // OpenBLAS is opened with dlopen on first use (after choosing OPENBLAS_CORETYPE from cpuid), never
        // linked: its load-time constructor would read the variable before any code of ours runs.
        // Runtime package: libopenblas0 (Debian/Ubuntu); no -dev package is needed to build.
        .target(name: "COpenBLAS", path: "Sources/COpenBLAS", linkerSettings: [.linkedLibrary("dl")]),

        // MARK: - Public API
        .target(name: "OVIR", dependencies: ["CLibXML2"], swiftSettings: codegen),
        .target(name: "OVInterpreter", dependencies: ["OVIR", "COpenBLAS"], swiftSettings: codegen),
        .target(name: "POTCore", dependencies: ["OVIR"], swiftSettings: codegen),
        .target(name: "POT", dependencies: ["POTCore", "OVIR", "OVInterpreter"], swiftSettings: codegen),
        .executableTarget(name: "swiftpot", dependencies: [
            "POT", "OVIR", "OVInterpreter", "POTCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: codegen),

        // The complete client of the POT API contract, verbatim (run by SwiftPOTCLITests; not a product).
        .executableTarget(name: "pot-client-example", dependencies: ["POT"], path: "Examples/POTClient"),

        // MARK: - Implementation details
        .target(name: "_TestSupport", dependencies: ["OVIR", "POTCore"], path: "Sources/_TestSupport"),

        // MARK: - Tests
        .testTarget(name: "OVIRTests", dependencies: ["OVIR", "_TestSupport"]),
        .testTarget(name: "OVInterpreterTests", dependencies: ["OVInterpreter", "OVIR", "_TestSupport"], swiftSettings: codegen),
        .testTarget(name: "POTCoreTests", dependencies: ["POTCore", "_TestSupport"]),
        .testTarget(name: "POTTests", dependencies: ["POT", "_TestSupport"]),
        .testTarget(name: "SwiftPOTCLITests", dependencies: ["_TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
