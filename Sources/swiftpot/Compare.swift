import ArgumentParser
import Foundation
import OVIR

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "Not implemented yet.")
    func run() throws {
        try runReportingErrors { throw OVIRError("swiftpot compare is not implemented yet") }
    }
}
