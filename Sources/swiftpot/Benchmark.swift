import ArgumentParser
import Foundation
import OVIR

struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "benchmark", abstract: "Not implemented yet.")
    func run() throws {
        try runReportingErrors { throw OVIRError("swiftpot benchmark is not implemented yet") }
    }
}
