// The only file that imports libxml2: it parses bytes into a small Swift tree and frees the C document
// before returning, so nothing else in SwiftPOT touches libxml2 pointers.
internal import CLibXML2
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One XML element as read from the file: name, attributes in document order, child elements,
/// trimmed text content, and the line it starts on (for error messages).
struct XMLTreeNode: Sendable {
    var name: String
    var attributes: [IRAttribute]
    var children: [XMLTreeNode]
    var text: String?
    var line: Int

    subscript(attribute key: String) -> String? {
        attributes.first(where: { $0.name == key })?.value
    }
    func child(named n: String) -> XMLTreeNode? { children.first { $0.name == n } }
    func children(named n: String) -> [XMLTreeNode] { children.filter { $0.name == n } }

    /// The element as a verbatim ``IRElement`` (for rt_info, port maps and other kept sections).
    var irElement: IRElement {
        IRElement(name: name, attributes: attributes, children: children.map(\.irElement), text: text)
    }
}

/// libxml2 must be initialised once before parsers run on several threads; a global `let` is
/// initialised exactly once (swift_once), which makes this safe under Swift Testing's parallel tests.
private let libxml2Initialised: Bool = {
    xmlInitParser()
    return true
}()

/// Parsing options: no network, no printing to stderr. Deliberately absent: XML_PARSE_NOENT (entity
/// substitution), XML_PARSE_DTDLOAD / DTDATTR / DTDVALID (DTD loading) and XML_PARSE_HUGE (libxml2's
/// default limits on depth, name and text size stay on). A DOCTYPE is refused outright, below.
private let parseOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

/// Marks a parser context whose document declared a DOCTYPE (set by the SAX hook, read after parsing).
private let doctypeMarkerBits = 0x5D7D

enum XMLTree {
    /// Parses an XML document into a tree. Throws an ``OVIRError`` naming `fileName` for empty input,
    /// malformed XML (with libxml2's line and message) and any document type declaration.
    static func parse(_ data: Data, fileName: String?) throws -> XMLTreeNode {
        guard !data.isEmpty else {
            throw OVIRError(file: fileName, "the file is empty; expected an OpenVINO IR XML document")
        }
        guard data.count < Int(Int32.max) else {
            throw OVIRError(file: fileName, "the XML file is \(data.count) bytes; expected less than 2 GiB")
        }
        _ = libxml2Initialised
        return try data.withUnsafeBytes { raw -> XMLTreeNode in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self), let ctxt = xmlNewParserCtxt() else {
                throw OVIRError(file: fileName, "libxml2 could not create a parser (out of memory?)")
            }
            var doc: xmlDocPtr?
            defer {
                if let doc { xmlFreeDoc(doc) }
                xmlFreeParserCtxt(ctxt)
            }
            // Stop at the DOCTYPE itself, before any internal subset (entity declarations) is read:
            // this refuses entity bombs and external entities (XXE) without expanding anything.
            // The context owns its SAX handler copy, so this affects no other parser.
            ctxt.pointee.sax.pointee.internalSubset = { ctx, _, _, _ in
                guard let ctx else { return }
                let c = ctx.assumingMemoryBound(to: xmlParserCtxt.self)
                c.pointee._private = UnsafeMutableRawPointer(bitPattern: doctypeMarkerBits)
                xmlStopParser(c)
            }
            doc = xmlCtxtReadMemory(ctxt, base, Int32(raw.count), nil, nil, parseOptions)
            if ctxt.pointee._private == UnsafeMutableRawPointer(bitPattern: doctypeMarkerBits) {
                let line = Int(ctxt.pointee.input?.pointee.line ?? 0)
                throw OVIRError(file: fileName, "document type declaration (<!DOCTYPE>) at line \(line): "
                    + "expected an OpenVINO IR without a DTD or entity declarations (refused: entity expansion "
                    + "and external entities are unsafe)")
            }
            guard let doc, ctxt.pointee.wellFormed != 0 else {
                throw malformed(ctxt, fileName: fileName)
            }
            guard let root = xmlDocGetRootElement(doc) else {
                throw OVIRError(file: fileName, "malformed XML: no root element; expected <net>")
            }
            if doc.pointee.intSubset != nil || doc.pointee.extSubset != nil {
                throw OVIRError(file: fileName, "document type declaration found; expected an OpenVINO IR without a DTD")
            }
            return convert(root, doc: doc)
        }
    }

    private static func malformed(_ ctxt: xmlParserCtxtPtr, fileName: String?) -> OVIRError {
        guard let err = xmlCtxtGetLastError(UnsafeMutableRawPointer(ctxt)) else {
            return OVIRError(file: fileName, "malformed XML")
        }
        let line = Int(err.pointee.line)
        var msg = err.pointee.message.map { String(cString: $0) } ?? "parse error \(err.pointee.code)"
        msg = msg.trimmingWhitespaceAndNewlines().replacingLiteral("\n", with: " ")
        return OVIRError(file: fileName, "malformed XML at line \(line): \(msg)")
    }

    /// Whether a NUL-terminated string is only ASCII whitespace (indentation between elements).
    private static func isBlank(_ p: UnsafePointer<xmlChar>) -> Bool {
        var q = p
        while q.pointee != 0 {
            let b = q.pointee
            if !(b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D) { return false }
            q += 1
        }
        return true
    }

    /// Converts a libxml2 element and its element descendants. Recursion depth is bounded by libxml2's
    /// own nesting limit (256 without XML_PARSE_HUGE).
    private static func convert(_ node: xmlNodePtr, doc: xmlDocPtr) -> XMLTreeNode {
        let name = node.pointee.name.map { String(cString: $0) } ?? ""
        var attributes: [IRAttribute] = []
        var attr = node.pointee.properties
        while let a = attr {
            let attrName = a.pointee.name.map { String(cString: $0) } ?? ""
            var value = ""
            if let only = a.pointee.children, only.pointee.next == nil, only.pointee.type == XML_TEXT_NODE,
               let content = only.pointee.content {
                value = String(cString: content)   // the common case: one text child, no copy through libxml2
            } else if let v = xmlNodeListGetString(doc, a.pointee.children, 1) {
                value = String(cString: v)
                cxml_free(v)
            }
            attributes.append(IRAttribute(attrName, value))
            attr = a.pointee.next
        }
        var children: [XMLTreeNode] = []
        var text = ""
        var child = node.pointee.children
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE:
                children.append(convert(c, doc: doc))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = c.pointee.content, !isBlank(content) { text += String(cString: content) }
            default:
                break
            }
            child = c.pointee.next
        }
        let trimmed = irTrim(text)
        return XMLTreeNode(name: name, attributes: attributes, children: children,
                           text: trimmed.isEmpty ? nil : trimmed, line: Int(xmlGetLineNo(node)))
    }
}
