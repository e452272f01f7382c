import ArgumentParser
import Foundation
import OVIR

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "convert", abstract: "Not implemented yet.")
    func run() throws {
        try runReportingErrors { throw OVIRError("swiftpot convert is not implemented yet") }
    }
}
