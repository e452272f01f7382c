import OVIR
