import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OVIR

/// The `swiftpot` command line: see docs/CLI.md (the contract is the project's spec/CLI.md).
@main
struct SwiftPOT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftpot",
        abstract: "OpenVINO IR tools and post-training quantization, on SwiftPOT's own CPU interpreter.",
        subcommands: [Inspect.self, Convert.self, Infer.self, Benchmark.self, Quantize.self, Compare.self])
}

/// Runs a subcommand body, turning thrown errors into one line on stderr and exit status 1.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as CleanExit {
        throw e
    } catch {
        writeToStandardError("error: " + oneLine(error) + "\n")
        throw ExitCode(1)
    }
}

func oneLine(_ error: Error) -> String {
    String(describing: error).replacingLiteral("\n", with: " ")
}

/// Writes to stderr (progress and logs).
func log(_ s: String) { writeToStandardError(s + "\n") }
