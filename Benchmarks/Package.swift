// swift-tools-version: 6.1
// Kernel benchmarks for SwiftPOT's interpreter (ordo-one/benchmark). A separate package so that
// `swift build` / `swift test` of the root package never build or run them.
//   cd Benchmarks && swift package benchmark            (or: swift package benchmark --filter conv)
import PackageDescription
import Foundation

// A path dependency's identity is its directory name (the checkout's or worktree's name).
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

let package = Package(
    name: "SwiftPOTBenchmarks",
    dependencies: [
        .package(path: ".."),
        // MallocInterposer instead of the default RuntimeInterposer trait (see TOOLCHAIN.md).
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "KernelBenchmarks",
            dependencies: [
                .product(name: "OVInterpreter", package: rootIdentity),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "KernelBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
