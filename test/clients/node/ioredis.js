// ioredis with its default options (RESP3 in ioredis 6; REDIS_RESP=2 for
// protocol: 2) runs what applications do against REDIS_ADDR. Exits non-zero
// on any mismatch.
"use strict";
const Redis = require("ioredis");
const { assert, step, finish, address, plain, sleep, eventually, sorted } = require("./check");

const { host, port } = address();
const resp = process.env.REDIS_RESP === "2" ? 2 : 3;
const options = { host, port };
if (resp === 2) options.protocol = 2;

async function main() {
  const r = new Redis(options);
  r.on("error", (err) => console.log("client error:", err.message));
  const other = r.duplicate();

  await step("connect", async () => {
    assert.equal(await r.flushall(), "OK");
    assert.equal(await r.ping(), "PONG");
    const info = await r.client("INFO");
    assert.match(String(info), new RegExp(`resp=${resp}`));
    assert.equal(await r.echo("héllo"), "héllo");
  });

  await step("strings", async () => {
    assert.equal(await r.set("s:k", "v"), "OK");
    assert.equal(await r.get("s:k"), "v");
    assert.equal(await r.get("s:missing"), null);
    assert.equal(await r.set("s:k", "w", "NX"), null);
    assert.equal(await r.setnx("s:k", "w"), 0);
    assert.equal(await r.set("s:ttl", "x", "EX", 100), "OK");
    assert.equal(await r.ttl("s:ttl"), 100);
    assert.equal(await r.incr("s:n"), 1);
    assert.equal(await r.incrby("s:n", 41), 42);
    assert.equal(await r.incrbyfloat("s:n", 0.5), "42.5");
    assert.equal(await r.mset({ "s:a": "1", "s:b": "2" }), "OK");
    assert.deepEqual(await r.mget("s:a", "s:nope", "s:b"), ["1", null, "2"]);
    assert.equal(await r.append("s:k", "!!"), 3);
    assert.equal(await r.getrange("s:k", 1, -1), "!!");
    assert.equal(await r.getdel("s:k"), "v!!");
    assert.equal(await r.exists("s:k", "s:a"), 1);
    const bin = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    assert.equal(await r.set("s:bin", bin), "OK");
    assert.deepEqual(await r.getBuffer("s:bin"), bin);
    await assert.rejects(r.incr("s:bin"), /value is not an integer/);
    assert.equal(await r.set("s:px", "x", "PX", 50), "OK");
    await sleep(120);
    assert.equal(await r.get("s:px"), null);
  });

  await step("hashes", async () => {
    assert.equal(await r.hset("h", { a: "1", b: "2" }), 2);
    assert.deepEqual(plain(await r.hgetall("h")), { a: "1", b: "2" });
    assert.equal(await r.hincrby("h", "a", 9), 10);
    assert.equal(await r.hincrbyfloat("h", "b", 0.5), "2.5");
    assert.deepEqual(await r.hmget("h", "a", "zz"), ["10", null]);
    assert.equal(await r.hexists("h", "a"), 1);
    assert.equal(await r.hdel("h", "a", "zz"), 1);
    assert.equal(await r.hlen("h"), 1);
    assert.deepEqual(await r.hkeys("h"), ["b"]);
    assert.deepEqual(plain(await r.hgetall("h:none")), {});
  });

  await step("lists", async () => {
    assert.equal(await r.rpush("l", "a", "b", "c"), 3);
    assert.equal(await r.lpush("l", "z"), 4);
    assert.deepEqual(await r.lrange("l", 0, -1), ["z", "a", "b", "c"]);
    assert.equal(await r.lindex("l", -1), "c");
    assert.equal(await r.lpop("l"), "z");
    assert.deepEqual(await r.rpop("l", 2), ["c", "b"]);
    assert.equal(await r.llen("l"), 1);
    assert.equal(await r.lrem("l", 0, "a"), 1);
    assert.equal(await r.exists("l"), 0);
    assert.equal(await r.rpush("l2", 1, 2, 3, 4), 4);
    assert.equal(await r.ltrim("l2", 1, 2), "OK");
    assert.deepEqual(await r.lrange("l2", 0, -1), ["2", "3"]);
    assert.equal(await r.lmove("l2", "l3", "LEFT", "RIGHT"), "2");
    // A worker blocked in BLPOP is served by a producer's push.
    const popped = other.blpop("queue", 5);
    await sleep(50);
    assert.equal(await r.rpush("queue", "job"), 1);
    assert.deepEqual(await popped, ["queue", "job"]);
    assert.equal(await other.blpop("queue", 0.1), null);
  });

  await step("sets", async () => {
    assert.equal(await r.sadd("set1", "a", "b", "c", "a"), 3);
    assert.equal(await r.sadd("set2", "b", "c", "d"), 3);
    assert.deepEqual(sorted(await r.smembers("set1")), ["a", "b", "c"]);
    assert.equal(await r.sismember("set1", "a"), 1);
    assert.equal(await r.sismember("set1", "d"), 0);
    assert.deepEqual(await r.smismember("set1", "a", "d"), [1, 0]);
    assert.equal(await r.scard("set1"), 3);
    assert.deepEqual(sorted(await r.sinter("set1", "set2")), ["b", "c"]);
    assert.deepEqual(sorted(await r.sunion("set1", "set2")), ["a", "b", "c", "d"]);
    assert.deepEqual(sorted(await r.sdiff("set1", "set2")), ["a"]);
    assert.equal(await r.srem("set1", "a", "b"), 2);
    assert.equal(await r.spop("set1"), "c");
    assert.equal(await r.exists("set1"), 0);
  });

  await step("sorted sets", async () => {
    assert.equal(await r.zadd("z", 1, "a", 2, "b", 3, "c"), 3);
    assert.deepEqual(await r.zrange("z", 0, -1, "WITHSCORES"), ["a", "1", "b", "2", "c", "3"]);
    assert.equal(await r.zscore("z", "b"), "2");
    assert.equal(await r.zscore("z", "nope"), null);
    assert.equal(await r.zincrby("z", 2.5, "a"), "3.5");
    assert.equal(await r.zrank("z", "a"), 2);
    assert.deepEqual(await r.zrevrange("z", 0, -1), ["a", "c", "b"]);
    assert.deepEqual(await r.zrangebyscore("z", "(2", "+inf"), ["c", "a"]);
    assert.deepEqual(await r.zrange("z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", 0, 2), ["a", "c"]);
    assert.equal(await r.zcount("z", "-inf", 3), 2);
    assert.deepEqual(await r.zpopmin("z"), ["b", "2"]);
    assert.equal(await r.zrem("z", "c", "nope"), 1);
    assert.equal(await r.zcard("z"), 1);
  });

  await step("bitmaps and hyperloglog", async () => {
    assert.equal(await r.setbit("bits", 7, 1), 0);
    assert.equal(await r.getbit("bits", 7), 1);
    assert.equal(await r.bitcount("bits"), 1);
    assert.equal(await r.pfadd("hll", "a", "b", "c", "a"), 1);
    assert.equal(await r.pfcount("hll"), 3);
  });

  await step("pipelines and transactions", async () => {
    const p = r.pipeline();
    for (let i = 0; i < 500; i++) p.set(`p:${i}`, i);
    p.get("p:499").incr("p:n").hget("p:1", "f");
    const res = await p.exec();
    assert.equal(res.length, 503);
    assert.deepEqual(res[500], [null, "499"]);
    assert.deepEqual(res[501], [null, 1]);
    assert.match(String(res[502][0]), /^ReplyError: WRONGTYPE/);
    // Many commands in flight at once on one connection.
    const all = await Promise.all(Array.from({ length: 1000 }, () => r.incr("p:many")));
    assert.equal(Math.max(...all), 1000);
    assert.deepEqual(await r.multi().incr("tx:n").incrby("tx:n", 10).exec(), [
      [null, 1],
      [null, 11],
    ]);
    // Optimistic locking: EXEC fails (null) once a watched key changed.
    assert.equal(await other.watch("tx:w"), "OK");
    assert.equal(await r.set("tx:w", "theirs"), "OK");
    assert.equal(await other.multi().set("tx:w", "mine").exec(), null);
    assert.equal(await r.get("tx:w"), "theirs");
    assert.equal(await other.watch("tx:w"), "OK");
    assert.deepEqual(await other.multi().set("tx:w", "mine").exec(), [[null, "OK"]]);
    assert.equal(await r.get("tx:w"), "mine");
  });

  await step("pub/sub", async () => {
    const sub = r.duplicate();
    const got = [];
    sub.on("message", (channel, message) => got.push(`|${channel}|${message}`));
    sub.on("pmessage", (pattern, channel, message) => got.push(`${pattern}|${channel}|${message}`));
    assert.equal(await sub.subscribe("news"), 1);
    assert.equal(await sub.psubscribe("ev:*"), 2);
    assert.equal(await r.publish("news", "hello"), 1);
    assert.equal(await r.publish("ev:7", "fired"), 1);
    await eventually(() => assert.deepEqual(got.sort(), ["ev:*|ev:7|fired", "|news|hello"]));
    assert.equal(await sub.unsubscribe("news"), 1);
    sub.disconnect();
  });

  await step("scan streams", async () => {
    const p = r.pipeline();
    for (let i = 0; i < 250; i++) p.set(`scan:${i}`, i);
    await p.exec();
    const keys = new Set();
    await new Promise((resolve, reject) => {
      r.scanStream({ match: "scan:*", count: 20 })
        .on("data", (batch) => batch.forEach((k) => keys.add(k)))
        .on("end", resolve)
        .on("error", reject);
    });
    assert.equal(keys.size, 250);
    await r.hset("scan:h", { f1: "1", f2: "2" });
    const fields = [];
    await new Promise((resolve, reject) => {
      r.hscanStream("scan:h")
        .on("data", (batch) => fields.push(...batch))
        .on("end", resolve)
        .on("error", reject);
    });
    assert.deepEqual(fields.sort(), ["1", "2", "f1", "f2"]);
  });

  await step("lua scripts", async () => {
    r.defineCommand("incrTo", {
      numberOfKeys: 1,
      lua: "local n = redis.call('INCRBY', KEYS[1], ARGV[1]); return {n, 'done'}",
    });
    assert.deepEqual(await r.incrTo("lua:k", 5), [5, "done"]); // EVALSHA, then EVAL on NOSCRIPT
    assert.deepEqual(await r.incrTo("lua:k", 5), [10, "done"]);
    assert.equal(await r.eval("return redis.call('GET', KEYS[1])", 1, "lua:k"), "10");
  });

  await step("keys", async () => {
    await r.set("k:1", "x");
    assert.equal(await r.type("k:1"), "string");
    assert.equal(await r.type("h"), "hash");
    assert.equal(await r.rename("k:1", "k:2"), "OK");
    assert.equal(await r.pexpire("k:2", 100000), 1);
    const pttl = await r.pttl("k:2");
    assert.ok(pttl > 90000 && pttl <= 100000, `PTTL ${pttl}`);
    assert.equal(await r.persist("k:2"), 1);
    assert.equal(await r.del("k:2", "nope"), 1);
    assert.equal(await r.dbsize() > 0, true);
  });

  r.disconnect();
  other.disconnect();
  finish();
}

main().catch((err) => {
  console.log("FAIL:", err);
  process.exit(1);
});
