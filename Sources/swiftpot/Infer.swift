import ArgumentParser
import Foundation
import OVIR

struct Infer: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "infer", abstract: "Not implemented yet.")
    func run() throws {
        try runReportingErrors { throw OVIRError("swiftpot infer is not implemented yet") }
    }
}
