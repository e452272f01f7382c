@_exported import POTCore
@_exported import OVIR
@_exported import OVInterpreter
