#!/usr/bin/env python3
"""SymPy peer for the Leibniz benchmarks (driven by peers.mjs: sympyPeer).

Reads one JSON object on stdin:
  {"cases": [{"name", "expr", "variables", "data"}], "diffTimeoutS": 20,
   "simplify": true, "simplifyTimeoutS": 20, "minReps": 3, "repBudgetS": 5}
and writes one JSON line per case, flushed as soon as the case is done (so the JS side
keeps every finished case even if it has to kill this process):
  {"name", "diffMs", "diffMinMs", "diffColdMs", "reps", "partials": [str], "printedLength",
   "nativeNodes", "countOps", "simplifyMs"?, "simplified": {...}?, "simplifySkipped"?}
or {"name", "skipped": reason}. The first line is {"sympy": version, "python": version}.

Timing follows the peer baseline: `sp.diff` for all partials, one cold run then the median
of warm runs. SymPy memoises heavily (@cacheit), so the cache is cleared before every run;
otherwise warm runs would time dictionary look-ups, not differentiation. `sp.simplify` on the
partials is timed once, separately. A per-case SIGALRM timer bounds both.
"""

import json
import signal
import statistics
import sys
import time


class Timeout(Exception):
    pass


def _alarm(_signum, _frame):
    raise Timeout()


def with_timeout(seconds, fn):
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    import sympy as sp
    from sympy.core.cache import clear_cache
    from sympy.parsing.sympy_parser import parse_expr, standard_transformations, convert_xor

    req = json.load(sys.stdin)
    diff_timeout = float(req.get("diffTimeoutS", 20))
    simp_timeout = float(req.get("simplifyTimeoutS", 20))
    do_simplify = bool(req.get("simplify", True))
    min_reps = int(req.get("minReps", 3))
    rep_budget = float(req.get("repBudgetS", 5))
    emit({"sympy": sp.__version__, "python": sys.version.split()[0]})

    def sizes(exprs):
        texts = [str(e) for e in exprs]
        return {
            "partials": texts,
            "printedLength": sum(len(t) for t in texts),
            "nativeNodes": sum(sum(1 for _ in sp.preorder_traversal(e)) for e in exprs),
            "countOps": sum(int(sp.count_ops(e)) for e in exprs),
        }

    for case in req["cases"]:
        name = case["name"]
        try:
            # Declare every symbol explicitly: otherwise names like E, I, S, N, Q, beta
            # would parse as SymPy constants or functions.
            symbols = list(case["variables"]) + list(case.get("data") or [])
            local = {s: sp.Symbol(s) for s in symbols}
            f = parse_expr(
                case["expr"],
                local_dict=local,
                transformations=standard_transformations + (convert_xor,),
            )
            xs = [local[v] for v in case["variables"]]

            def diff_all():
                clear_cache()
                t0 = time.perf_counter()
                out = [sp.diff(f, v) for v in xs]
                return out, (time.perf_counter() - t0) * 1e3

            started = time.perf_counter()
            try:
                partials, cold = with_timeout(diff_timeout, diff_all)
            except Timeout:
                emit({"name": name, "skipped": f"timeout (> {diff_timeout:g} s)"})
                continue
            samples = []
            # Warm reps: at least min_reps unless the cold run alone exceeded the budget,
            # then until rep_budget seconds are spent; never past the case timeout.
            while cold <= rep_budget * 1e3 and len(samples) < 50:
                spent = sum(samples) / 1e3
                est = (statistics.median(samples) if samples else cold) / 1e3
                if len(samples) >= min_reps and spent + est > rep_budget:
                    break
                if time.perf_counter() - started + est > diff_timeout:
                    break
                try:
                    partials, ms = with_timeout(diff_timeout, diff_all)
                except Timeout:
                    break
                samples.append(ms)
            result = {
                "name": name,
                "diffColdMs": cold,
                "diffMs": statistics.median(samples) if samples else cold,
                "diffMinMs": min(samples) if samples else cold,
                "reps": len(samples),
                "coldOnly": not samples,
            }
            result.update(sizes(partials))
            if do_simplify:
                def simp():
                    t0 = time.perf_counter()
                    out = [sp.simplify(d) for d in partials]
                    return out, (time.perf_counter() - t0) * 1e3

                try:
                    simplified, ms = with_timeout(simp_timeout, simp)
                    result["simplifyMs"] = ms
                    result["simplified"] = sizes(simplified)
                except Timeout:
                    result["simplifySkipped"] = f"timeout (> {simp_timeout:g} s)"
            emit(result)
        except Exception as e:  # a peer failure is a data point, not a crash
            emit({"name": name, "skipped": f"error: {type(e).__name__}: {e}"})


if __name__ == "__main__":
    sys.setrecursionlimit(100000)
    main()
