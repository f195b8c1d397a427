#!/usr/bin/env python3
"""SymPy on the textbook corpus (driven by suites/textbook.mjs).

Reads one JSON object on stdin:
  {"cases": [{"name", "expr", "variable", "symbols": [str], "points": [[float]]}],
   "timeoutS": 20}
and writes one JSON line per case, flushed as soon as it is done:
  {"name", "diff": str, "simplified": str, "simplifyMs", "values": [float|null]}
or {"name", "skipped": reason}. The first line is {"sympy": version}.

`sp.diff` then `sp.simplify`, each case once, with SymPy's cache cleared first (cold, as
Leibniz is measured with fresh symbol names). `values` are the simplified derivative at
the given points (symbols in the order of "symbols"), NaN (null) where undefined.
"""

import json
import math
import signal
import sys
import time


class Timeout(Exception):
    pass


def _alarm(_signum, _frame):
    raise Timeout()


def main():
    import sympy as sp
    from sympy.core.cache import clear_cache
    from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

    req = json.load(sys.stdin)
    timeout = float(req.get("timeoutS", 20))
    sys.stdout.write(json.dumps({"sympy": sp.__version__}) + "\n")
    sys.stdout.flush()
    signal.signal(signal.SIGALRM, _alarm)
    for case in req["cases"]:
        name = case["name"]
        try:
            local = {s: sp.Symbol(s) for s in case["symbols"]}
            f = parse_expr(
                case["expr"],
                local_dict=local,
                transformations=standard_transformations + (convert_xor,),
            )
            v = local[case["variable"]]
            clear_cache()
            d = sp.diff(f, v)
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                t0 = time.perf_counter()
                s = sp.simplify(d)
                ms = (time.perf_counter() - t0) * 1e3
            except Timeout:
                out = {"name": name, "skipped": f"timeout (> {timeout:g} s)", "diff": str(d)}
                sys.stdout.write(json.dumps(out) + "\n")
                sys.stdout.flush()
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            syms = [local[n] for n in case["symbols"]]
            fn = sp.lambdify(syms, s, "math")
            values = []
            for p in case["points"]:
                try:
                    y = float(fn(*p))
                    values.append(y if math.isfinite(y) else None)
                except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                    values.append(None)
            out = {"name": name, "diff": str(d), "simplified": str(s), "simplifyMs": ms, "values": values}
        except Exception as e:  # a failure is a data point, not a crash
            out = {"name": name, "skipped": f"error: {type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    sys.setrecursionlimit(100000)
    main()
