#!/usr/bin/env python3
"""Developer-only: make the .npy/.npz fixtures of Tests/OVIRTests/NpyTests.swift with real numpy.

    python3 scripts/make_npy_fixtures.py           # (re)writes fixtures/npy/ and fixtures/npy/expected.json
    python3 scripts/make_npy_fixtures.py --check   # runs the Swift round-trip test and reads its output with numpy

`swift test` only reads the committed files; numpy never runs there.
"""
import io, json, os, struct, subprocess, sys, tempfile, zipfile
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "npy")


def valid_arrays():
    rng = np.random.default_rng(7)
    arrays = {}
    for code in ["f8", "f4", "f2"]:
        t = np.dtype(code)
        v = np.array([0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, np.nan, np.finfo(t).max, np.finfo(t).tiny, 1e-3], dtype=t)
        arrays["dtype_" + code] = v.reshape(2, 5)
    for code in ["i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1"]:
        t = np.dtype(code)
        info = np.iinfo(t)
        v = np.array([info.min, info.max, 0, 1, 2, info.max // 3], dtype=t)
        arrays["dtype_" + code] = v.reshape(3, 2)
    arrays["dtype_b1"] = np.array([[True, False, True], [False, False, True]])
    arrays["scalar_f4"] = np.array(3.5, dtype=np.float32)
    arrays["scalar_i64"] = np.array(-7, dtype=np.int64)
    arrays["empty_f4"] = np.zeros((0, 3), dtype=np.float32)
    arrays["empty_i64"] = np.zeros((2, 0, 4), dtype=np.int64)
    arrays["rank4_f4"] = rng.standard_normal((1, 3, 4, 5)).astype(np.float32)
    arrays["rank1_u8"] = np.arange(17, dtype=np.uint8)
    return arrays


def write_versioned(path, arr, version):
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=version)


def header_file(path, header, payload=b"", major=1):
    h = header.encode("latin1")
    pad = (64 - (10 + len(h) + 1) % 64) % 64
    h = h + b" " * pad + b"\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY" + bytes([major, 0]) + struct.pack("<H", len(h)) + h + payload)


def make():
    os.makedirs(OUT, exist_ok=True)
    expected = {"valid": {}, "invalid": {}, "npz": {}}
    for name, arr in valid_arrays().items():
        np.save(os.path.join(OUT, name + ".npy"), arr)
        expected["valid"][name + ".npy"] = describe(arr)
    v = np.arange(6, dtype=np.float32).reshape(2, 3)
    write_versioned(os.path.join(OUT, "version2.npy"), v, (2, 0))
    write_versioned(os.path.join(OUT, "version3.npy"), v, (3, 0))
    expected["valid"]["version2.npy"] = describe(v)
    expected["valid"]["version3.npy"] = describe(v)
    # Hand-written but valid headers: other key order, no trailing comma, extra spaces.
    header_file(os.path.join(OUT, "reordered_header.npy"),
                "{ 'shape' : ( 2 , 3 ) ,'fortran_order':False,'descr':'<f4'}", v.tobytes())
    expected["valid"]["reordered_header.npy"] = describe(v)

    bad = expected["invalid"]
    np.save(os.path.join(OUT, "fortran.npy"), np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    bad["fortran.npy"] = "fortran_order"
    np.save(os.path.join(OUT, "bigendian.npy"), np.arange(4, dtype=">f4"))
    bad["bigendian.npy"] = "big-endian"
    np.save(os.path.join(OUT, "object.npy"), np.array([1, "a", None], dtype=object), allow_pickle=True)
    bad["object.npy"] = "object"
    np.save(os.path.join(OUT, "unicode.npy"), np.array(["ab", "cde"]))
    bad["unicode.npy"] = "unicode"
    np.save(os.path.join(OUT, "structured.npy"), np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]))
    bad["structured.npy"] = "structured"
    np.save(os.path.join(OUT, "complex.npy"), np.zeros(2, dtype=np.complex64))
    bad["complex.npy"] = "unsupported dtype"
    with open(os.path.join(OUT, "bad_magic.npy"), "wb") as f:
        f.write(b"\x93NUMPZ\x01\x00" + b"\x00" * 60)
    bad["bad_magic.npy"] = "bad magic"
    raw = open(os.path.join(OUT, "dtype_f4.npy"), "rb").read()
    open(os.path.join(OUT, "truncated_data.npy"), "wb").write(raw[:-3])
    bad["truncated_data.npy"] = "truncated"
    open(os.path.join(OUT, "extra_data.npy"), "wb").write(raw + b"\x00\x00\x00\x00")
    bad["extra_data.npy"] = "longer than"
    open(os.path.join(OUT, "truncated_header.npy"), "wb").write(raw[:40])
    bad["truncated_header.npy"] = "truncated"
    header_file(os.path.join(OUT, "absurd_shape.npy"),
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904), }")
    bad["absurd_shape.npy"] = "too large"
    header_file(os.path.join(OUT, "huge_shape.npy"),
                "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }", b"\x00" * 8)
    bad["huge_shape.npy"] = "truncated"
    header_file(os.path.join(OUT, "bad_header.npy"), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3) ")
    bad["bad_header.npy"] = "dict literal"
    header_file(os.path.join(OUT, "missing_key.npy"), "{'descr': '<f4', 'shape': (2, 3), }", v.tobytes())
    bad["missing_key.npy"] = "keys"

    rng = np.random.default_rng(11)
    arrays = {"weights": rng.standard_normal((4, 8)).astype(np.float32), "ids": np.arange(10, dtype=np.int64),
              "flag": np.array(True), "empty": np.zeros((0,), dtype=np.float16)}
    np.savez(os.path.join(OUT, "stored.npz"), **arrays)
    expected["npz"]["stored.npz"] = {k: describe(a) for k, a in arrays.items()}
    # Compressible (dynamic Huffman, long matches), tiny (fixed Huffman) and random (stored blocks) members.
    comp = {"ramp": np.tile(np.arange(64, dtype=np.float32), 300).reshape(300, 64), "one": np.array([1], dtype=np.int8),
            "noise": rng.integers(0, 256, size=40000, dtype=np.uint8)}
    np.savez_compressed(os.path.join(OUT, "compressed.npz"), **comp)
    expected["npz"]["compressed.npz"] = {k: describe(a) for k, a in comp.items()}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
    print(f"wrote {len(expected['valid'])} valid, {len(expected['invalid'])} invalid .npy and {len(expected['npz'])} .npz to {OUT}")


def describe(arr):
    return {"dtype": arr.dtype.str, "shape": list(arr.shape), "hex": np.ascontiguousarray(arr).tobytes().hex()}


def check():
    """Swift writes every valid fixture back (NpyTests, with SWIFTPOT_NPY_ROUNDTRIP_DIR); numpy must read them equal."""
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, SWIFTPOT_NPY_ROUNDTRIP_DIR=d)
        subprocess.run(["swift", "test", "--scratch-path", ".build-writer", "--filter", "OVIRTests.NpyTests"],
                       cwd=ROOT, env=env, check=True)
        expected = json.load(open(os.path.join(OUT, "expected.json")))["valid"]
        ok = 0
        for name, e in sorted(expected.items()):
            path = os.path.join(d, name)
            a = np.load(path)
            good = a.dtype.str == e["dtype"] and list(a.shape) == e["shape"] and a.tobytes().hex() == e["hex"]
            good = good and os.path.getsize(path) % 64 == len(a.tobytes()) % 64  # data starts at a multiple of 64
            print(("ok   " if good else "FAIL ") + name)
            ok += good
        print(f"{ok}/{len(expected)} Swift-written .npy files read back equal by numpy {np.__version__}")
        sys.exit(0 if ok == len(expected) else 1)


if __name__ == "__main__":
    check() if "--check" in sys.argv else make()
