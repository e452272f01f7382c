import ArgumentParser
import Foundation
import OVIR

struct Quantize: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "quantize", abstract: "Not implemented yet.")
    func run() throws {
        try runReportingErrors { throw OVIRError("swiftpot quantize is not implemented yet") }
    }
}
