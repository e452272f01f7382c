// The CPU interpreter: op registry, kernels, compiled models. See docs/DESIGN.md.
@_exported import OVIR
