/// A small XML text builder for the IR writer: tab-indented elements, escaped attribute values and
/// text, in the layout OpenVINO's serializer produces (`<a x="1" />` for empty elements).
struct XMLText {
    private(set) var text = "<?xml version=\"1.0\"?>\n"
    private var depth = 0

    /// Opens `<name attrs>` on its own line.
    mutating func open(_ name: String, _ attributes: [IRAttribute] = []) throws {
        line("<" + name + (try XMLText.attributeText(attributes)) + ">")
        depth += 1
    }

    /// Closes `</name>`.
    mutating func close(_ name: String) {
        depth -= 1
        line("</" + name + ">")
    }

    /// `<name attrs />`.
    mutating func empty(_ name: String, _ attributes: [IRAttribute] = []) throws {
        line("<" + name + (try XMLText.attributeText(attributes)) + " />")
    }

    /// `<name attrs>text</name>` on one line.
    mutating func leaf(_ name: String, _ attributes: [IRAttribute] = [], text: String) throws {
        line("<" + name + (try XMLText.attributeText(attributes)) + ">" + (try XMLText.escape(text, inAttribute: false)) + "</" + name + ">")
    }

    /// A verbatim element (rt_info, port_map, …) with its children.
    mutating func element(_ e: IRElement) throws {
        if e.children.isEmpty {
            if let t = e.text, !t.isEmpty { try leaf(e.name, e.attributes, text: t) } else { try empty(e.name, e.attributes) }
            return
        }
        try open(e.name, e.attributes)
        if let t = e.text, !t.isEmpty { line(try XMLText.escape(t, inAttribute: false)) }
        for c in e.children { try element(c) }
        close(e.name)
    }

    private mutating func line(_ s: String) {
        text += String(repeating: "\t", count: depth)
        text += s
        text += "\n"
    }

    static func attributeText(_ attributes: [IRAttribute]) throws -> String {
        var s = ""
        for a in attributes {
            guard isName(a.name) else { throw OVIRError("'\(a.name)' is not a valid XML attribute name") }
            s += " " + a.name + "=\"" + (try escape(a.value, inAttribute: true)) + "\""
        }
        return s
    }

    /// XML names as the IR uses them: letters, digits, `_`, `-`, `.`, `:`; not starting with a digit, `-` or `.`.
    static func isName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, !"0123456789-.".unicodeScalars.contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.:".unicodeScalars.contains($0) }
    }

    /// Escapes `&`, `<`, `>`, `"` (and newlines and tabs in attributes so they survive a round trip).
    /// Control characters XML 1.0 cannot hold are an error.
    static func escape(_ s: String, inAttribute: Bool) throws -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where inAttribute: out += "&quot;"
            case "\n" where inAttribute: out += "&#10;"
            case "\r": out += "&#13;"
            case "\t" where inAttribute: out += "&#9;"
            case "\n", "\t": out.unicodeScalars.append(u)
            default:
                guard u.value >= 0x20, u.value != 0xFFFE, u.value != 0xFFFF else {
                    throw OVIRError("text contains the control character U+\(String(u.value, radix: 16, uppercase: true)), which XML 1.0 cannot hold")
                }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
