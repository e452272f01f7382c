#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H
// Debian's libxml2 is built with ICU and its encoding.h pulls in <unicode/ucnv.h>, whose types clash
// with the ICU that Foundation carries. SwiftPOT never touches the ICU converter fields, so hide them.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

// xmlFree is a global function-pointer variable, which Swift 6 rejects as not concurrency-safe.
static inline void cxml_free(void *p) { xmlFree(p); }

// Silences libxml2's default error printer (it writes to stderr); errors are read back from the context.
static void cxml_silent_structured(void *ctx, xmlErrorPtr err) { (void)ctx; (void)err; }
static inline void cxml_install_silent_handler(void) {
    xmlSetStructuredErrorFunc(NULL, cxml_silent_structured);
}
#endif
