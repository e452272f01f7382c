#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON-like configuration value, written with Swift literals so POT's Python dicts read the same.
public enum ConfigValue: Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    /// Scalars.
    case string(String), int(Int), double(Double), bool(Bool)
    /// A list, a dictionary, or JSON's null (Python's None: the parameter's default).
    case array([ConfigValue]), dictionary([String: ConfigValue]), null

    public init(stringLiteral v: String) { self = .string(v) }
    public init(integerLiteral v: Int) { self = .int(v) }
    public init(floatLiteral v: Double) { self = .double(v) }
    public init(booleanLiteral v: Bool) { self = .bool(v) }
    public init(arrayLiteral v: ConfigValue...) { self = .array(v) }
    public init(dictionaryLiteral v: (String, ConfigValue)...) { self = .dictionary(Dictionary(v, uniquingKeysWith: { $1 })) }
    public init(nilLiteral: ()) { self = .null }

    /// The JSON type name, for error messages.
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a boolean"
        case .array: return "a list"
        case .dictionary: return "a dictionary"
        case .null: return "null"
        }
    }

    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .dictionary(let d): return "{" + d.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
        case .null: return "null"
        }
    }

    /// Converts parsed JSON (`JSONSerialization` output, or the same structure of Swift values:
    /// `String`, `Bool`, `Int`, `Double`, `[Any]`, `[String: Any]`) into a value.
    public init(json: Any) throws {
        switch json {
        case let s as String: self = .string(s)
        #if canImport(FoundationEssentials)
        // Without full Foundation the types are told apart as Foundation's number classes show
        // them: JSON booleans are __NSCFBoolean; a number written with a fraction or an exponent
        // prints with "." or "e" (objCType "d"), an integer with digits only; big decimals are double.
        case let b as Bool where type(of: json) == Bool.self: self = .bool(b)
        case let i as Int where type(of: json) == Int.self: self = .int(i)
        case let d as Double where type(of: json) == Double.self: self = .double(d)
        case _ where Self.foundationNumber(json) != nil: self = Self.foundationNumber(json)!
        #else
        case let n as NSNumber:
            // Foundation marks JSON booleans with objCType "c" and floats with "d"/"f".
            switch String(cString: n.objCType) {
            case "c", "B": self = .bool(n.boolValue)
            case "d", "f": self = .double(n.doubleValue)
            default: self = .int(n.intValue)
            }
        #endif
        case let a as [Any]: self = .array(try a.map { try ConfigValue(json: $0) })
        case let d as [String: Any]: self = .dictionary(try d.mapValues { try ConfigValue(json: $0) })
        #if canImport(FoundationEssentials)
        case _ where String(describing: type(of: json)) == "NSNull": self = .null
        #else
        case is NSNull: self = .null
        #endif
        default: throw OVIRError("unsupported JSON value \(json)")
        }
    }
}

#if canImport(FoundationEssentials)
extension ConfigValue {
    /// A number object of Foundation's (JSONSerialization's output in a process that loaded it),
    /// typed as its objCType would type it; nil for anything else.
    static func foundationNumber(_ json: Any) -> ConfigValue? {
        switch String(describing: type(of: json)) {
        case "__NSCFBoolean": return (json as? Bool).map { .bool($0) }
        case "NSDecimalNumber": return (json as? Decimal).map { .double(foundationDecimalToDouble($0)) }
        default:
            guard json as? Int != nil || json as? UInt64 != nil || json as? Double != nil else { return nil }
            let text = String(describing: json)
            if text.contains(where: { ".eEni".contains($0) }) { return (json as? Double ?? Double(text)).map { .double($0) } }
            if let i = json as? Int { return .int(i) }
            if let u = json as? UInt64 { return .int(Int(truncatingIfNeeded: u)) }
            return Double(text).map { .double($0) }
        }
    }
}
#endif

/// One algorithm of a pipeline: its name and POT's parameters.
public struct AlgorithmConfig: Sendable {
    /// "DefaultQuantization", "MinMaxQuantization", "AccuracyAwareQuantization", …
    public var name: String
    /// POT's parameter names and meanings, e.g. "preset", "stat_subset_size".
    public var params: [String: ConfigValue]
    public init(name: String, params: [String: ConfigValue] = [:]) {
        self.name = name
        self.params = params
    }
}

/// Reads a `[String: ConfigValue]` strictly: every key must be known, every value of the right type.
/// Errors name the key (with its path) and suggest the closest valid key.
public struct ConfigReader {
    /// The values read.
    public let values: [String: ConfigValue]
    /// Where these values sit, for messages ("DefaultQuantization.params").
    public let path: String
    /// Every valid key.
    public let known: [String]

    /// Checks every key of `values` against `known`; an unknown key is an error naming it.
    public init(_ values: [String: ConfigValue], path: String, known: [String]) throws {
        self.values = values
        self.path = path
        self.known = known
        for key in values.keys.sorted() where !known.contains(key) {
            let hint = closestName(to: key, in: known).map { "; did you mean '\($0)'?" } ?? ""
            throw OVIRError("\(path): unknown parameter '\(key)'\(hint) (valid: \(known.sorted().joined(separator: ", ")))")
        }
    }

    private func wrong(_ key: String, _ expected: String, _ v: ConfigValue) -> OVIRError {
        OVIRError("\(path).\(key): expected \(expected), found \(v.typeName) \(v)")
    }

    /// A string (one of `allowed` when given), or `d` when absent or null.
    public func string(_ key: String, default d: String, allowed: [String]? = nil) throws -> String {
        guard let v = values[key], v != .null else { return d }
        guard case .string(let s) = v else { throw wrong(key, "a string", v) }
        if let allowed, !allowed.contains(s) {
            let hint = closestName(to: s, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
            throw OVIRError("\(path).\(key): '\(s)' is not one of \(allowed.joined(separator: ", "))\(hint)")
        }
        return s
    }
    /// A string, or nil when absent or null.
    public func optionalString(_ key: String) throws -> String? {
        guard let v = values[key], v != .null else { return nil }
        guard case .string(let s) = v else { throw wrong(key, "a string", v) }
        return s
    }
    /// An integer (a whole-valued number is accepted), or `d` when absent or null.
    public func int(_ key: String, default d: Int) throws -> Int {
        guard let v = values[key], v != .null else { return d }
        switch v {
        case .int(let i): return i
        case .double(let x) where x == x.rounded() && abs(x) < 1e15: return Int(x)
        default: throw wrong(key, "an integer", v)
        }
    }
    /// A number, or `d` when absent or null.
    public func double(_ key: String, default d: Double) throws -> Double {
        guard let v = values[key], v != .null else { return d }
        switch v {
        case .int(let i): return Double(i)
        case .double(let x): return x
        default: throw wrong(key, "a number", v)
        }
    }
    /// A boolean, or `d` when absent or null.
    public func bool(_ key: String, default d: Bool) throws -> Bool {
        guard let v = values[key], v != .null else { return d }
        guard case .bool(let b) = v else { throw wrong(key, "true or false", v) }
        return b
    }
    /// A dictionary, or nil when absent or null.
    public func dictionary(_ key: String) throws -> [String: ConfigValue]? {
        guard let v = values[key], v != .null else { return nil }
        guard case .dictionary(let d) = v else { throw wrong(key, "a dictionary", v) }
        return d
    }
    /// A list of strings, or nil when absent or null.
    public func strings(_ key: String) throws -> [String]? {
        guard let v = values[key], v != .null else { return nil }
        guard case .array(let a) = v else { throw wrong(key, "a list of strings", v) }
        return try a.map { e in
            guard case .string(let s) = e else { throw wrong(key, "a list of strings", v) }
            return s
        }
    }
}

/// The known name closest to `name` by edit distance (case-insensitive), when reasonably close.
public func closestName(to name: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count), cur = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
    let lower = Array(name.lowercased())
    let scored = candidates.map { ($0, distance(lower, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= Swift.max(2, name.count / 2) ? best.0 : nil
}
