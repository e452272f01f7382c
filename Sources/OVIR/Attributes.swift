#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A layer's `<data>` attributes: raw text in document order (kept for round trips) with typed access.
/// Typed getters throw an ``OVIRError`` naming the attribute, the expected form and the text found.
public struct Attributes: Hashable, Sendable {
    public var entries: [IRAttribute]

    public init(_ entries: [IRAttribute] = []) { self.entries = entries }

    public subscript(key: String) -> String? {
        get { entries.first(where: { $0.name == key })?.value }
        set {
            if let i = entries.firstIndex(where: { $0.name == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append(IRAttribute(key, newValue))
            }
        }
    }

    public func has(_ key: String) -> Bool { self[key] != nil }

    private func bad(_ key: String, _ expected: String) -> OVIRError {
        OVIRError("attribute '\(key)': expected \(expected), found \"\(self[key] ?? "")\"")
    }

    private func required(_ key: String) throws -> String {
        guard let v = self[key] else { throw OVIRError("attribute '\(key)' is missing") }
        return v
    }

    public func string(_ key: String) throws -> String { try required(key) }
    public func string(_ key: String, default d: String) -> String { self[key] ?? d }

    public func int(_ key: String) throws -> Int {
        let s = try required(key)
        guard let v = Int(s.trimmingWhitespace()) else { throw bad(key, "an integer") }
        return v
    }
    public func int(_ key: String, default d: Int) throws -> Int { has(key) ? try int(key) : d }

    public func double(_ key: String) throws -> Double {
        let s = try required(key).trimmingWhitespace()
        guard let v = Attributes.parseDouble(s) else { throw bad(key, "a number") }
        return v
    }
    public func double(_ key: String, default d: Double) throws -> Double { has(key) ? try double(key) : d }
    public func float(_ key: String) throws -> Float { Float(try double(key)) }
    public func float(_ key: String, default d: Float) throws -> Float { has(key) ? try float(key) : d }

    /// `true`/`false`, `1`/`0` (any case), as OpenVINO's reader accepts.
    public func bool(_ key: String) throws -> Bool {
        switch try required(key).trimmingWhitespace().lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw bad(key, "true or false")
        }
    }
    public func bool(_ key: String, default d: Bool) throws -> Bool { has(key) ? try bool(key) : d }

    /// A comma-separated list of integers; an empty string is an empty list.
    public func ints(_ key: String) throws -> [Int] {
        let s = try required(key)
        if s.trimmingWhitespace().isEmpty { return [] }
        var out: [Int] = []
        for part in s.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Int(part.trimmingWhitespace()) else { throw bad(key, "comma-separated integers") }
            out.append(v)
        }
        return out
    }
    public func ints(_ key: String, default d: [Int]) throws -> [Int] { has(key) ? try ints(key) : d }

    /// A comma-separated list of numbers; an empty string is an empty list.
    public func doubles(_ key: String) throws -> [Double] {
        let s = try required(key)
        if s.trimmingWhitespace().isEmpty { return [] }
        var out: [Double] = []
        for part in s.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Attributes.parseDouble(part.trimmingWhitespace()) else {
                throw bad(key, "comma-separated numbers")
            }
            out.append(v)
        }
        return out
    }
    public func doubles(_ key: String, default d: [Double]) throws -> [Double] { has(key) ? try doubles(key) : d }

    /// A comma-separated list of strings.
    public func strings(_ key: String) throws -> [String] {
        let s = try required(key)
        if s.isEmpty { return [] }
        return s.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
    }

    /// One of a fixed set of words (compared case-insensitively, returned lowercased).
    public func choice(_ key: String, _ allowed: [String], default d: String? = nil) throws -> String {
        guard let raw = self[key] else {
            if let d { return d }
            throw OVIRError("attribute '\(key)' is missing; expected one of \(allowed.joined(separator: ", "))")
        }
        let v = raw.trimmingWhitespace().lowercased()
        guard allowed.contains(v) else { throw bad(key, "one of \(allowed.joined(separator: ", "))") }
        return v
    }

    /// Numbers as OpenVINO writes them, including `inf`, `-inf`, `nan` spellings.
    static func parseDouble(_ s: String) -> Double? {
        if let v = Double(s) { return v }
        switch s.lowercased() {
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan", "-nan": return .nan
        default: return nil
        }
    }
}
