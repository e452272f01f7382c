// The POT API and algorithms (depends on OVIR only).
@_exported import OVIR
