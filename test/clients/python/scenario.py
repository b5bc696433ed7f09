"""redis-py (Debian's python3-redis) with its default options runs what
applications do against REDIS_ADDR (host:port). Exits non-zero on any
mismatch. redis-py 4.3 speaks RESP2 only (protocol=3 came in 5.0); with a
newer redis-py the scenario runs a second time with protocol=3."""

import os
import sys
import threading
import time
import traceback

import redis

host, _, port = os.environ.get("REDIS_ADDR", "127.0.0.1:6379").rpartition(":")
host = host.strip("[]")
failures = []


def step(name):
    def run(fn):
        start = time.monotonic()
        try:
            fn()
            print(f"ok   {name} ({(time.monotonic() - start) * 1000:.0f} ms)")
        except Exception:
            failures.append(name)
            print(f"FAIL {name}:\n{traceback.format_exc()}")
        return fn

    return run


def eq(got, want):
    assert got == want, f"got {got!r}, want {want!r}"


def eventually(fn, timeout=3.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def scenario(**extra):
    r = redis.Redis(host=host, port=int(port), decode_responses=True, **extra)
    other = redis.Redis(host=host, port=int(port), decode_responses=True, **extra)
    raw = redis.Redis(host=host, port=int(port), **extra)  # bytes, not str
    r.flushall()

    @step("connect")
    def _():
        eq(r.ping(), True)
        eq(r.echo("héllo"), "héllo")
        eq(r.client_setname("scenario"), True)
        eq(r.client_getname(), "scenario")

    @step("strings")
    def _():
        eq(r.set("s:k", "v"), True)
        eq(r.get("s:k"), "v")
        eq(r.get("s:missing"), None)
        eq(r.set("s:k", "w", nx=True), None)
        eq(r.set("s:k", "w", get=True), "v")
        eq(r.setnx("s:k", "x"), False)
        eq(r.set("s:ttl", "x", ex=100), True)
        eq(r.ttl("s:ttl"), 100)
        eq(r.incr("s:n"), 1)
        eq(r.incrby("s:n", 41), 42)
        eq(r.incrbyfloat("s:n", 0.5), 42.5)
        eq(r.mset({"s:a": "1", "s:b": "2"}), True)
        eq(r.mget("s:a", "s:nope", "s:b"), ["1", None, "2"])
        eq(r.append("s:k", "!!"), 3)
        eq(r.getrange("s:k", 1, -1), "!!")
        eq(r.getdel("s:k"), "w!!")
        eq(r.exists("s:k", "s:a"), 1)
        blob = bytes(range(256))
        eq(raw.set("s:bin", blob), True)
        eq(raw.get("s:bin"), blob)
        try:
            r.hget("s:a", "f")
            raise AssertionError("HGET on a string did not fail")
        except redis.ResponseError as err:
            assert str(err).startswith("WRONGTYPE"), err
        eq(r.set("s:px", "x", px=50), True)
        time.sleep(0.12)
        eq(r.get("s:px"), None)

    @step("hashes")
    def _():
        eq(r.hset("h", mapping={"a": "1", "b": "2"}), 2)
        eq(r.hgetall("h"), {"a": "1", "b": "2"})
        eq(r.hincrby("h", "a", 9), 10)
        eq(r.hincrbyfloat("h", "b", 0.5), 2.5)
        eq(r.hmget("h", "a", "zz"), ["10", None])
        eq(r.hexists("h", "a"), True)
        eq(r.hdel("h", "a", "zz"), 1)
        eq(r.hlen("h"), 1)
        eq(r.hgetall("h:none"), {})
        eq(dict(r.hscan_iter("h")), {"b": "2.5"})

    @step("lists")
    def _():
        eq(r.rpush("l", "a", "b", "c"), 3)
        eq(r.lpush("l", "z"), 4)
        eq(r.lrange("l", 0, -1), ["z", "a", "b", "c"])
        eq(r.lindex("l", -1), "c")
        eq(r.lpop("l"), "z")
        eq(r.rpop("l", 2), ["c", "b"])
        eq(r.llen("l"), 1)
        eq(r.lrem("l", 0, "a"), 1)
        eq(r.exists("l"), 0)
        eq(r.rpush("l2", 1, 2, 3, 4), 4)
        eq(r.ltrim("l2", 1, 2), True)
        eq(r.lrange("l2", 0, -1), ["2", "3"])
        eq(r.lmove("l2", "l3", "LEFT", "RIGHT"), "2")
        # A worker blocked in BLPOP is served by a producer's push.
        threading.Timer(0.05, lambda: other.rpush("queue", "job")).start()
        eq(r.blpop("queue", timeout=5), ("queue", "job"))
        eq(r.blpop("queue", timeout=0.1), None)

    @step("sets")
    def _():
        eq(r.sadd("set1", "a", "b", "c", "a"), 3)
        eq(r.sadd("set2", "b", "c", "d"), 3)
        eq(r.smembers("set1"), {"a", "b", "c"})
        eq(r.sismember("set1", "a"), True)
        eq(r.sismember("set1", "d"), False)
        eq(r.smismember("set1", "a", "d"), [True, False])
        eq(r.scard("set1"), 3)
        eq(r.sinter("set1", "set2"), {"b", "c"})
        eq(r.sunion("set1", "set2"), {"a", "b", "c", "d"})
        eq(r.sdiff("set1", "set2"), {"a"})
        eq(r.srem("set1", "a", "b"), 2)
        eq(r.spop("set1"), "c")
        eq(r.exists("set1"), 0)

    @step("sorted sets")
    def _():
        eq(r.zadd("z", {"a": 1, "b": 2, "c": 3}), 3)
        eq(r.zrange("z", 0, -1, withscores=True), [("a", 1.0), ("b", 2.0), ("c", 3.0)])
        eq(r.zscore("z", "b"), 2.0)
        eq(r.zscore("z", "nope"), None)
        eq(r.zincrby("z", 2.5, "a"), 3.5)
        eq(r.zrank("z", "a"), 2)
        eq(r.zrevrange("z", 0, -1), ["a", "c", "b"])
        eq(r.zrangebyscore("z", "(2", "+inf"), ["c", "a"])
        eq(r.zcount("z", "-inf", 3), 2)
        eq(r.zpopmin("z"), [("b", 2.0)])
        eq(r.zrem("z", "c", "nope"), 1)
        eq(r.zcard("z"), 1)
        eq(list(r.zscan_iter("z")), [("a", 3.5)])

    @step("bitmaps and hyperloglog")
    def _():
        eq(r.setbit("bits", 7, 1), 0)
        eq(r.getbit("bits", 7), 1)
        eq(r.bitcount("bits"), 1)
        eq(r.pfadd("hll", "a", "b", "c", "a"), 1)
        eq(r.pfcount("hll"), 3)

    @step("pipelines and transactions")
    def _():
        p = r.pipeline(transaction=False)
        for i in range(500):
            p.set(f"p:{i}", i)
        p.get("p:499").incr("p:n")
        res = p.execute()
        eq(len(res), 502)
        eq(res[-2:], ["499", 1])
        eq(r.pipeline().incr("tx:n").incrby("tx:n", 10).execute(), [1, 11])  # MULTI/EXEC

        # Optimistic locking with redis-py's transaction() helper (WATCH,
        # retried on WatchError), from several threads: no update is lost.
        def incr(pipe):
            n = int(pipe.get("tx:cas") or 0)
            pipe.multi()
            pipe.set("tx:cas", n + 1)

        def worker():
            client = redis.Redis(host=host, port=int(port), **extra)
            for _ in range(10):
                client.transaction(incr, "tx:cas")

        threads = [threading.Thread(target=worker) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        eq(r.get("tx:cas"), "50")

        with r.pipeline() as pipe:
            pipe.watch("tx:w")
            other.set("tx:w", "theirs")
            pipe.multi()
            pipe.set("tx:w", "mine")
            try:
                pipe.execute()
                raise AssertionError("EXEC succeeded after the watched key changed")
            except redis.WatchError:
                pass
        eq(r.get("tx:w"), "theirs")

    @step("pub/sub")
    def _():
        ps = r.pubsub(ignore_subscribe_messages=True)
        ps.subscribe("news")
        ps.psubscribe("ev:*")
        eventually(lambda: eq(other.pubsub_numpat(), 1))
        eq(other.publish("news", "hello"), 1)
        eq(other.publish("ev:7", "fired"), 1)
        got = []
        deadline = time.monotonic() + 5
        while len(got) < 2 and time.monotonic() < deadline:
            m = ps.get_message(timeout=0.5)
            if m:
                got.append((m["type"], m["pattern"], m["channel"], m["data"]))
        eq(sorted(got, key=str), [("message", None, "news", "hello"), ("pmessage", "ev:*", "ev:7", "fired")])
        ps.unsubscribe("news")
        eventually(lambda: eq(other.pubsub_numsub("news"), [("news", 0)]))
        ps.close()

    @step("scan iterators")
    def _():
        p = r.pipeline(transaction=False)
        for i in range(250):
            p.set(f"scan:{i}", i)
        p.execute()
        eq(len(set(r.scan_iter(match="scan:*", count=20))), 250)
        r.sadd("scan:s", "x", "y", "z")
        eq(sorted(r.sscan_iter("scan:s")), ["x", "y", "z"])

    @step("lua scripts")
    def _():
        script = r.register_script("local n = redis.call('INCRBY', KEYS[1], ARGV[1]); return {n, 'done'}")
        eq(script(keys=["lua:k"], args=[5]), [5, "done"])  # EVALSHA, SCRIPT LOAD on NOSCRIPT
        eq(script(keys=["lua:k"], args=[5]), [10, "done"])
        eq(r.eval("return redis.call('GET', KEYS[1])", 1, "lua:k"), "10")

    @step("keys")
    def _():
        r.set("k:1", "x")
        eq(r.type("k:1"), "string")
        eq(r.type("h"), "hash")
        eq(r.rename("k:1", "k:2"), True)
        eq(r.pexpire("k:2", 100000), True)
        assert 90000 < r.pttl("k:2") <= 100000
        eq(r.persist("k:2"), True)
        eq(r.delete("k:2", "nope"), 1)
        assert r.dbsize() > 0
        eq(r.object("encoding", "h"), "listpack")

    r.close()
    other.close()
    raw.close()


print(f"redis-py {redis.__version__}")
scenario()
if int(redis.__version__.split(".")[0]) >= 5:
    print("again with protocol=3")
    scenario(protocol=3)
if failures:
    print(f"{len(failures)} step(s) failed: {', '.join(failures)}")
    sys.exit(1)
print("all steps passed")
