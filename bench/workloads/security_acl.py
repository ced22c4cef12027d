"""ACL users on: redis-benchmark SET/GET as a restricted user, Firn beside Redis.

Rows (50 clients, -P 1 and -P 16): "acl SET P1", "acl GET P1", "acl SET P16", "acl GET P16".
Both servers get the same user, `bench`, limited to `~key:* +@read +@write` with a password
(redis-benchmark's keys are key:__rand_int__), and redis-benchmark connects as it with
--user/-a, so every command pays the ACL check on its command and its key. The default user
stays as it is (the harness uses it to set up); figures are requests per second.

  python3 bench/workloads/security_acl.py --port 6379 [--quick]
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import throughput  # noqa: E402

USER, PASSWORD = "bench", "bench-pw"
RULES = ("reset", "on", ">" + PASSWORD, "~key:*", "resetchannels", "+@read", "+@write")


def setup(host, port):
    with common.Client(host, port) as c:
        c.call("ACL", "SETUSER", USER, *RULES)
        c.call("FLUSHALL")


def run_row(host, port, test, pipeline, requests, cpus=None, timeout=300):
    setup(host, port)
    cmd = common.pin_prefix(cpus) + [
        "redis-benchmark", "-h", host, "-p", str(port), "--user", USER, "-a", PASSWORD,
        "-c", "50", "-n", str(requests), "-r", "100000", "-P", str(pipeline), "-d", "32",
        "--precision", "3", "-t", test]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "redis-benchmark timed out after %d s" % timeout}
    res = throughput.parse_output(r.stdout + r.stderr)
    if r.returncode != 0 or "rps" not in res:
        return {"error": "redis-benchmark exit %d: %s" % (r.returncode, r.stderr[-200:])}
    return res


def rows(quick=False):
    n_p1, n_p16 = (20_000, 200_000) if quick else (100_000, 1_000_000)
    return [("acl %s P%d" % (test.upper(), p), test, p, n)
            for p, n in ((1, n_p1), (16, n_p16)) for test in ("set", "get")]


def family(runner):
    """bench/run.py's family: each row on Firn and Redis, repetitions interleaved."""
    targets = [runner.firn, runner.redis]
    for t in targets:
        t.start()
    for name, test, pipeline, n in rows(runner.quick):
        for rep in range(runner.reps("security_acl")):
            for t in runner.order(targets, rep):
                srv = t.ensure()
                if srv is None:
                    res = {"error": t.start_error}
                else:
                    try:
                        res = run_row(srv.host, srv.port, test, pipeline, n,
                                      cpus=runner.client_cpus)
                    except Exception as e:  # one failed row must not stop the run
                        res = {"error": repr(e)}
                runner.record("security_acl", name, t, res)
        print("security_acl %-14s %s" % (name, runner.brief("security_acl", name, "rps")),
              flush=True)
    for t in targets:
        t.stop()


def register(runner_class, families, reps):
    """Adds this family to bench/run.py (its one line calls this)."""
    families.append("security_acl")
    reps["security_acl"] = (3, 5)
    runner_class.family_security_acl = family


def main():
    a = common.standalone_args(__doc__.splitlines()[0])
    common.print_json({name: run_row(a.host, a.port, test, p, n // (10 if a.quick else 1))
                       for name, test, p, n in rows(a.quick)})


if __name__ == "__main__":
    main()
