#!/usr/bin/env python3
"""Run `swiftpot infer` on every case of a conformance-style suite and check the outputs (developer-only).

    python3 scripts/check_conformance.py [SUITE_DIR] [--swiftpot PATH] [--out DIR] [--jobs 2]
                                         [--only SUBSTR] [--timeout 120] [-v] [--rtol R --atol A]

SUITE_DIR (default fixtures/conformance; fixtures/ir works too) holds one folder per case with
model.xml, in_<i>.npy, ref_<j>.npy and case.json. For each case this runs

    swiftpot infer CASE/model.xml --input NAME=CASE/in_<i>.npy ... --output-dir OUT/<case>

(the contract in the CLI spec: it writes OUT/<case>/out_<j>.npy), then compares with the suite's
check.py logic (SUITE_DIR/check.py, else fixtures/conformance/check.py): floats allclose, integers
and bools exact. Prints per-op pass rates and ends with "N passed, M failed"; exit 1 when a case
failed (0 with --exit-zero). A case whose infer command fails is a failure, and its first stderr
line is shown with -v. Needs numpy only (and a built swiftpot: `swift build -c release`).
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def load_checker(suite_dir):
    for path in (os.path.join(suite_dir, "check.py"), os.path.join(REPO, "fixtures", "conformance", "check.py")):
        if os.path.isfile(path):
            spec = importlib.util.spec_from_file_location("suite_check", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            return mod
    sys.exit("error: no check.py in %s or fixtures/conformance" % suite_dir)


def infer_command(swiftpot, case_dir, out_dir):
    with open(os.path.join(case_dir, "case.json")) as f:
        meta = json.load(f)
    cmd = [swiftpot, "infer", os.path.join(case_dir, "model.xml")]
    for i, inp in enumerate(meta["inputs"]):
        path = os.path.join(case_dir, inp.get("file", "in_%d.npy" % i))
        name = inp.get("name")
        # Bind by name when the name can be written as NAME=FILE unambiguously, else by position.
        if name and "=" not in name:
            cmd += ["--input", "%s=%s" % (name, path)]
        else:
            cmd.append(path)
    cmd += ["--output-dir", out_dir]
    return cmd


def run_case(swiftpot, suite_dir, out_root, case, timeout):
    case_dir = os.path.join(suite_dir, case)
    out_dir = os.path.join(out_root, case)
    os.makedirs(out_dir, exist_ok=True)
    for f in os.listdir(out_dir):                     # stale outputs must not pass a case
        if f.startswith("out_") and f.endswith(".npy"):
            os.remove(os.path.join(out_dir, f))
    cmd = infer_command(swiftpot, case_dir, out_dir)
    t0 = time.time()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        err = p.stderr.decode("utf-8", "replace").strip()
        status = None if p.returncode == 0 else "infer exit %d: %s" % (
            p.returncode, (err.splitlines() or [""])[-1][:200])
    except subprocess.TimeoutExpired:
        status = "infer timed out after %ss" % timeout
    except OSError as e:
        status = "cannot run %s: %s" % (swiftpot, e)
    return case, status, time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("suite_dir", nargs="?", default=os.path.join(REPO, "fixtures", "conformance"))
    ap.add_argument("--swiftpot", default=os.path.join(REPO, ".build", "release", "swiftpot"))
    ap.add_argument("--out", default=os.path.join(REPO, "out", "conformance"),
                    help="output mirror tree (default out/conformance, git-ignored)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default=None, help="only cases whose name contains this substring")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per case")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every failing case")
    ap.add_argument("--exit-zero", action="store_true", help="exit 0 even when cases fail")
    args = ap.parse_args()

    suite = os.path.abspath(args.suite_dir)
    out_root = os.path.abspath(args.out)
    if not os.path.isfile(args.swiftpot) and os.sep in args.swiftpot:
        sys.exit("error: %s not found (build it: swift build -c release)" % args.swiftpot)
    checker = load_checker(suite)
    cases = sorted(d for d in os.listdir(suite) if os.path.isfile(os.path.join(suite, d, "case.json")))
    if args.only:
        cases = [c for c in cases if args.only in c]
    if not cases:
        sys.exit("error: no cases in %s" % suite)

    t0 = time.time()
    infer_errors = {}
    slow = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_case, args.swiftpot, suite, out_root, c, args.timeout) for c in cases]
        for n, fut in enumerate(futures, 1):
            case, status, secs = fut.result()
            if status:
                infer_errors[case] = status
            slow.append((secs, case))
            if n % 50 == 0 or n == len(cases):
                print("... %d/%d cases run (%.0f s)" % (n, len(cases), time.time() - t0), file=sys.stderr)

    per_op = {}
    passed = failed = 0
    for c in cases:
        if c in infer_errors:
            ok, msg = False, infer_errors[c]
            with open(os.path.join(suite, c, "case.json")) as f:
                meta = json.load(f)
        else:
            ok, msg, meta = checker.check_case(os.path.join(suite, c), os.path.join(out_root, c),
                                               args.rtol, args.atol)
        if ok:
            passed += 1
        else:
            failed += 1
            if args.verbose:
                print("FAIL %s: %s" % (c, msg))
        for op in meta.get("ir_op_types", []) or ["(none)"]:
            e = per_op.setdefault(op, [0, 0])
            e[0 if ok else 1] += 1

    print("")
    print("%-28s %6s %6s %7s" % ("IR op type", "pass", "fail", "rate"))
    for op in sorted(per_op, key=lambda k: (-(per_op[k][0] + per_op[k][1]), k)):
        p, f = per_op[op]
        print("%-28s %6d %6d %6.1f%%" % (op, p, f, 100.0 * p / (p + f)))
    slow.sort(reverse=True)
    print("")
    print("slowest: " + ", ".join("%s %.1fs" % (c, s) for s, c in slow[:3]))
    print("infer failures (no outputs written): %d; wall time %.0f s" % (len(infer_errors), time.time() - t0))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(0 if (failed == 0 or args.exit_zero) else 1)


if __name__ == "__main__":
    main()
