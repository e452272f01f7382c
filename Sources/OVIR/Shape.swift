/// One dimension of a port's shape: static, fully dynamic, or an interval (`1..10`, `2..`).
public enum Dimension: Hashable, Sendable, CustomStringConvertible {
    case fixed(Int)
    /// An interval `lower...upper`; `upper == nil` is unbounded. `.interval(0, nil)` is fully dynamic (`-1`, `?`).
    case interval(Int, Int?)

    public static let dynamic = Dimension.interval(0, nil)

    public var isStatic: Bool { if case .fixed = self { return true } else { return false } }
    public var staticValue: Int? { if case .fixed(let v) = self { return v } else { return nil } }

    /// OpenVINO's text form: `3`, `-1` (dynamic), `1..10`, `2..`, `..8`.
    public var description: String {
        switch self {
        case .fixed(let v): return String(v)
        case .interval(0, nil): return "-1"
        case .interval(let lo, nil): return "\(lo).."
        case .interval(0, let hi?): return "..\(hi)"
        case .interval(let lo, let hi?): return "\(lo)..\(hi)"
        }
    }

    /// Parses `3`, `-1`, `?`, `1..10`, `2..`, `..8`. Returns nil for anything else (negative, non-numeric).
    public init?(parsing text: String) {
        let s = text.trimmingWhitespace()
        if s == "-1" || s == "?" { self = .dynamic; return }
        if let r = s.firstRange(of: "..") {
            let loText = String(s[s.startIndex..<r.lowerBound]), hiText = String(s[r.upperBound...])
            let lo = loText.isEmpty ? 0 : Int(loText)
            let hi: Int?? = hiText.isEmpty ? .some(nil) : Int(hiText).map { .some($0) }
            guard let lo, lo >= 0, let hi else { return nil }
            if let h = hi, h < lo { return nil }
            self = (hi == lo) ? .fixed(lo) : .interval(lo, hi)
            return
        }
        guard let v = Int(s), v >= 0 else { return nil }
        self = .fixed(v)
    }
}

/// A port's shape: a list of dimensions, or an unknown rank (`dims == nil`).
public struct PartialShape: Hashable, Sendable, CustomStringConvertible {
    public var dims: [Dimension]?

    public init(_ dims: [Dimension]?) { self.dims = dims }
    public init(static shape: [Int]) { self.dims = shape.map { .fixed($0) } }
    public static let dynamicRank = PartialShape(nil)

    public var isStatic: Bool { dims?.allSatisfy(\.isStatic) ?? false }
    /// The static shape, or nil when any dimension (or the rank) is dynamic.
    public var staticShape: [Int]? {
        guard let dims else { return nil }
        var out: [Int] = []
        out.reserveCapacity(dims.count)
        for d in dims { guard let v = d.staticValue else { return nil }; out.append(v) }
        return out
    }
    public var rank: Int? { dims?.count }

    /// `[1,3,-1,1..10]`, or `[...]` for a dynamic rank.
    public var description: String {
        guard let dims else { return "[...]" }
        return "[" + dims.map(\.description).joined(separator: ",") + "]"
    }

    /// Whether a concrete shape fits this partial shape.
    public func accepts(_ shape: [Int]) -> Bool {
        guard let dims else { return true }
        guard dims.count == shape.count else { return false }
        for (d, v) in zip(dims, shape) {
            switch d {
            case .fixed(let f): if f != v { return false }
            case .interval(let lo, let hi): if v < lo || (hi.map { v > $0 } ?? false) { return false }
            }
        }
        return true
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
