import OVIR
print("swiftpot")
