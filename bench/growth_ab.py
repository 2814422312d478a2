#!/usr/bin/env python3
"""Figure 5a's two reads (latest page of a random chat: 10 k messages in 100 chats, then 10 M in
100 k chats) for several server builds or settings, alternating, on files seeded once and kept.

Usage: bench/growth_ab.py SPEC[,SPEC...] ROUNDS WORKDIR
  SPEC      a carechat binary, optionally followed by :NAME=VALUE environment settings for it
            (e.g. build/carechat:CARECHAT_AUDIT_DELAY_MS=50)
  WORKDIR   where the two seeded files live; a second run on the same WORKDIR reuses them
  WARM=S    in the environment: S seconds of the same load before each measured 10 s

It is an experiment tool, not a figure: bench/run.py measures 5a on a fresh file per run. Run it
under `taskset -c 0` to imitate the slower machine of issue #12 (docs/benchmarks.md, "5a on one
core"). The files grow by the audit rows of every run (one per GET), as a real server's would.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as R  # noqa: E402  (the harness's server, seeding and wrk helpers)

TOOLS = os.path.join(os.path.dirname(HERE), "build-release", "bench")
ENV = {"CARECHAT_PAGE_CACHE_MS": "0", "CARECHAT_SEARCH_INDEX_MS": "0"}  # as figure 5a runs


def seeded(work, binary, name, chats, messages):
    """The kept file `name` (made and seeded on first use): {"db", "tok"}."""
    marker = os.path.join(work, name, "seeded.json")
    if os.path.exists(marker):
        with open(marker) as f:
            return json.load(f)
    cc = R.Carechat(binary, work, name)
    info = {"db": cc.db, "tok": cc.token("user")}
    R.bulk_seed(TOOLS, cc.db, 0, chats, messages, False)
    with open(marker, "w") as f:
        json.dump(info, f)
    return info


def measure(work, spec, run_name, info, n_chats, warm_s):
    binary, *settings = spec.split(":")
    env = dict(ENV, **dict(s.split("=", 1) for s in settings))
    cc = R.Carechat(binary, work, run_name, info["db"])
    cc.start(env)
    try:
        paths = " ".join(R.chat_path(R.patient_id(i)) + "?pageSize=20" for i in range(n_chats))
        load = {"BENCH_TOKEN": info["tok"], "BENCH_PATHS": paths}
        if warm_s:
            R.wrk(cc.url("/"), warm_s, 4, "get_page.lua", dict(load))
        return R.wrk(cc.url("/"), 10, 4, "get_page.lua", load)
    finally:
        cc.stop()


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    specs, rounds, work = sys.argv[1].split(","), int(sys.argv[2]), os.path.abspath(sys.argv[3])
    os.makedirs(work, exist_ok=True)
    warm_s = int(os.environ.get("WARM", "0"))
    first_binary = specs[0].split(":")[0]
    small = seeded(work, first_binary, "small", 100, 10_000)
    large = seeded(work, first_binary, "large", 100_000, 10_000_000)
    k = 0
    for rnd in range(rounds):
        for spec in specs:
            got = {}
            for name, info, n_chats in (("small", small, 100), ("large", large, 100_000)):
                k += 1
                got[name] = measure(work, spec, "run-%d-%d" % (os.getpid(), k), info, n_chats, warm_s)
            s, l = got["small"], got["large"]
            print("%s round %d: 10k p99 %.2f ms (p50 %.2f, %.0f/s) | 10M p99 %.2f ms (p50 %.2f, %.0f/s) | ratio %.2f"
                  % (spec, rnd, s["p99_ms"], s["p50_ms"], s["rps"], l["p99_ms"], l["p50_ms"], l["rps"],
                     l["p99_ms"] / s["p99_ms"]), flush=True)


if __name__ == "__main__":
    main()
