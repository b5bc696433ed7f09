// node-redis (the npm package `redis`) with its default options (RESP3 in
// node-redis 6, plus a client with client-side caching; REDIS_RESP=2 for
// RESP: 2) runs what applications do against REDIS_ADDR. Exits non-zero on
// any mismatch.
"use strict";
const { createClient, WatchError } = require("redis");
const { assert, step, finish, address, plain, sleep, eventually, sorted } = require("./check");

const { host, port } = address();
const resp = process.env.REDIS_RESP === "2" ? 2 : 3;
const options = { socket: { host, port } };
if (resp === 2) options.RESP = 2;

async function connect(extra = {}) {
  const c = createClient({ ...options, ...extra });
  c.on("error", (err) => console.log("client error:", err.message));
  await c.connect();
  return c;
}

async function main() {
  const r = await connect();
  const other = await connect();

  await step("connect", async () => {
    assert.equal(await r.flushAll(), "OK");
    assert.equal(await r.ping(), "PONG");
    const info = await r.clientInfo();
    assert.equal(Number(info.resp), resp);
    assert.equal(await r.echo("héllo"), "héllo");
  });

  await step("strings", async () => {
    assert.equal(await r.set("s:k", "v"), "OK");
    assert.equal(await r.get("s:k"), "v");
    assert.equal(await r.get("s:missing"), null);
    assert.equal(await r.set("s:k", "w", { NX: true }), null);
    assert.equal(await r.set("s:k", "w", { GET: true }), "v");
    assert.equal(Number(await r.setNX("s:k", "x")), 0);
    assert.equal(await r.set("s:ttl", "x", { EX: 100 }), "OK");
    assert.equal(await r.ttl("s:ttl"), 100);
    assert.equal(await r.incr("s:n"), 1);
    assert.equal(await r.incrBy("s:n", 41), 42);
    assert.equal(Number(await r.incrByFloat("s:n", 0.5)), 42.5);
    assert.equal(await r.mSet({ "s:a": "1", "s:b": "2" }), "OK");
    assert.deepEqual(await r.mGet(["s:a", "s:nope", "s:b"]), ["1", null, "2"]);
    assert.equal(await r.append("s:k", "!!"), 3);
    assert.equal(await r.getRange("s:k", 1, -1), "!!");
    assert.equal(await r.getDel("s:k"), "w!!");
    assert.equal(await r.exists(["s:k", "s:a"]), 1);
    assert.equal(await r.set("s:px", "x", { PX: 50 }), "OK");
    await sleep(120);
    assert.equal(await r.get("s:px"), null);
    await assert.rejects(r.hGet("s:a", "f"), /WRONGTYPE/);
    assert.equal(await r.sendCommand(["SET", "s:raw", "1", "NX"]), "OK");
  });

  await step("hashes", async () => {
    assert.equal(await r.hSet("h", { a: "1", b: "2" }), 2);
    assert.deepEqual(plain(await r.hGetAll("h")), { a: "1", b: "2" });
    assert.equal(await r.hIncrBy("h", "a", 9), 10);
    assert.equal(Number(await r.hIncrByFloat("h", "b", 0.5)), 2.5);
    assert.deepEqual(await r.hmGet("h", ["a", "zz"]), ["10", null]);
    assert.equal(Number(await r.hExists("h", "a")), 1);
    assert.equal(await r.hDel("h", ["a", "zz"]), 1);
    assert.equal(await r.hLen("h"), 1);
    assert.deepEqual(plain(await r.hGetAll("h:none")), {});
  });

  await step("lists", async () => {
    assert.equal(await r.rPush("l", ["a", "b", "c"]), 3);
    assert.equal(await r.lPush("l", "z"), 4);
    assert.deepEqual(await r.lRange("l", 0, -1), ["z", "a", "b", "c"]);
    assert.equal(await r.lIndex("l", -1), "c");
    assert.equal(await r.lPop("l"), "z");
    assert.deepEqual(await r.rPopCount("l", 2), ["c", "b"]);
    assert.equal(await r.lLen("l"), 1);
    assert.equal(await r.lRem("l", 0, "a"), 1);
    assert.equal(await r.exists("l"), 0);
    assert.equal(await r.rPush("l2", ["1", "2", "3", "4"]), 4);
    assert.equal(await r.lTrim("l2", 1, 2), "OK");
    assert.deepEqual(await r.lRange("l2", 0, -1), ["2", "3"]);
    assert.equal(await r.lMove("l2", "l3", "LEFT", "RIGHT"), "2");
    // A worker blocked in BLPOP (on its own connection) is served by a push.
    const popped = other.blPop("queue", 5);
    await sleep(50);
    assert.equal(await r.rPush("queue", "job"), 1);
    assert.deepEqual(plain(await popped), { key: "queue", element: "job" });
    assert.equal(await other.blPop("queue", 0.1), null);
  });

  await step("sets", async () => {
    assert.equal(await r.sAdd("set1", ["a", "b", "c", "a"]), 3);
    assert.equal(await r.sAdd("set2", ["b", "c", "d"]), 3);
    assert.deepEqual(sorted(await r.sMembers("set1")), ["a", "b", "c"]);
    assert.equal(Number(await r.sIsMember("set1", "a")), 1);
    assert.equal(Number(await r.sIsMember("set1", "d")), 0);
    assert.deepEqual((await r.smIsMember("set1", ["a", "d"])).map(Number), [1, 0]);
    assert.equal(await r.sCard("set1"), 3);
    assert.deepEqual(sorted(await r.sInter(["set1", "set2"])), ["b", "c"]);
    assert.deepEqual(sorted(await r.sUnion(["set1", "set2"])), ["a", "b", "c", "d"]);
    assert.deepEqual(sorted(await r.sDiff(["set1", "set2"])), ["a"]);
    assert.equal(await r.sRem("set1", ["a", "b"]), 2);
    assert.equal(await r.sPop("set1"), "c");
    assert.equal(await r.exists("set1"), 0);
  });

  await step("sorted sets", async () => {
    assert.equal(await r.zAdd("z", [{ score: 1, value: "a" }, { score: 2, value: "b" }, { score: 3, value: "c" }]), 3);
    assert.deepEqual(plain(await r.zRangeWithScores("z", 0, -1)), [
      { value: "a", score: 1 },
      { value: "b", score: 2 },
      { value: "c", score: 3 },
    ]);
    assert.equal(Number(await r.zScore("z", "b")), 2);
    assert.equal(await r.zScore("z", "nope"), null);
    assert.equal(Number(await r.zIncrBy("z", 2.5, "a")), 3.5);
    assert.equal(await r.zRank("z", "a"), 2);
    assert.deepEqual(await r.zRange("z", 0, -1, { REV: true }), ["a", "c", "b"]);
    assert.deepEqual(await r.zRange("z", "(2", "+inf", { BY: "SCORE" }), ["c", "a"]);
    assert.equal(await r.zCount("z", "-inf", 3), 2);
    assert.deepEqual(plain(await r.zPopMin("z")), { value: "b", score: 2 });
    assert.equal(await r.zRem("z", ["c", "nope"]), 1);
    assert.equal(await r.zCard("z"), 1);
  });

  await step("bitmaps and hyperloglog", async () => {
    assert.equal(await r.setBit("bits", 7, 1), 0);
    assert.equal(await r.getBit("bits", 7), 1);
    assert.equal(await r.bitCount("bits"), 1);
    assert.equal(Number(await r.pfAdd("hll", ["a", "b", "c", "a"])), 1);
    assert.equal(await r.pfCount("hll"), 3);
  });

  await step("pipelines and transactions", async () => {
    // Commands issued in the same tick are pipelined.
    const sets = await Promise.all(Array.from({ length: 500 }, (_, i) => r.set(`p:${i}`, String(i))));
    assert.ok(sets.every((x) => x === "OK"));
    const incrs = await Promise.all(Array.from({ length: 1000 }, () => r.incr("p:many")));
    assert.equal(Math.max(...incrs), 1000);
    const piped = await r.multi().get("p:499").incr("p:n").execAsPipeline();
    assert.deepEqual(piped, ["499", 1]);
    assert.deepEqual(await r.multi().incr("tx:n").incrBy("tx:n", 10).exec(), [1, 11]);
    // Optimistic locking: EXEC fails once a watched key changed.
    const w = await connect();
    assert.equal(await w.watch("tx:w"), "OK");
    assert.equal(await r.set("tx:w", "theirs"), "OK");
    await assert.rejects(w.multi().set("tx:w", "mine").exec(), WatchError);
    assert.equal(await r.get("tx:w"), "theirs");
    assert.equal(await w.watch("tx:w"), "OK");
    assert.deepEqual(await w.multi().set("tx:w", "mine").exec(), ["OK"]);
    assert.equal(await r.get("tx:w"), "mine");
    w.destroy();
  });

  await step("pub/sub", async () => {
    const sub = await connect();
    const got = [];
    await sub.subscribe("news", (message, channel) => got.push(`|${channel}|${message}`));
    await sub.pSubscribe("ev:*", (message, channel) => got.push(`ev:*|${channel}|${message}`));
    assert.equal(await r.publish("news", "hello"), 1);
    assert.equal(await r.publish("ev:7", "fired"), 1);
    await eventually(() => assert.deepEqual(got.sort(), ["ev:*|ev:7|fired", "|news|hello"]));
    await sub.unsubscribe("news");
    // Redis 7.0 replies to PUBSUB NUMSUB with a flat array, in RESP3 too.
    assert.deepEqual(plain(await r.pubSubNumSub("news")), { news: 0 }, "PUBSUB NUMSUB news");
    sub.destroy();
  });

  await step("scan iterators", async () => {
    await Promise.all(Array.from({ length: 250 }, (_, i) => r.set(`scan:${i}`, String(i))));
    const keys = new Set();
    for await (const batch of r.scanIterator({ MATCH: "scan:*", COUNT: 20 })) {
      for (const k of [].concat(batch)) keys.add(k);
    }
    assert.equal(keys.size, 250);
    await r.sAdd("scan:s", ["x", "y", "z"]);
    const members = [];
    for await (const batch of r.sScanIterator("scan:s")) members.push(...[].concat(batch));
    assert.deepEqual(members.sort(), ["x", "y", "z"]);
  });

  await step("lua scripts", async () => {
    const script = "local n = redis.call('INCRBY', KEYS[1], ARGV[1]); return {n, 'done'}";
    assert.deepEqual(await r.eval(script, { keys: ["lua:k"], arguments: ["5"] }), [5, "done"]);
    const sha = await r.scriptLoad(script);
    assert.deepEqual(await r.evalSha(sha, { keys: ["lua:k"], arguments: ["5"] }), [10, "done"]);
  });

  await step("keys", async () => {
    await r.set("k:1", "x");
    assert.equal(await r.type("k:1"), "string");
    assert.equal(await r.type("h"), "hash");
    assert.equal(await r.rename("k:1", "k:2"), "OK");
    assert.equal(Number(await r.pExpire("k:2", 100000)), 1);
    const pttl = await r.pTTL("k:2");
    assert.ok(pttl > 90000 && pttl <= 100000, `PTTL ${pttl}`);
    assert.equal(Number(await r.persist("k:2")), 1);
    assert.equal(await r.del(["k:2", "nope"]), 1);
    assert.ok((await r.dbSize()) > 0);
  });

  if (resp === 3) {
    await step("client-side caching", async () => {
      const cached = await connect({ clientSideCache: { ttl: 0, maxEntries: 0 } });
      const cache = cached.clientSideCache;
      const invalidated = [];
      cache.on("invalidate", (key) => invalidated.push(key === null ? null : String(key)));
      await r.set("csc:k", "v1");
      assert.equal(await cached.get("csc:k"), "v1");
      assert.equal(await cached.get("csc:k"), "v1");
      assert.equal(cache.stats().hitCount, 1, "the second GET was served from the cache");
      await r.set("csc:k", "v2"); // another client's write invalidates the copy
      await eventually(() => assert.ok(invalidated.includes("csc:k"), `invalidated: ${invalidated}`));
      assert.equal(await cached.get("csc:k"), "v2");
      assert.deepEqual(plain(await cached.hGetAll("h")), { b: "2.5" });
      await r.hSet("h", "c", "3");
      await eventually(() => assert.ok(invalidated.includes("h")));
      assert.deepEqual(plain(await cached.hGetAll("h")), { b: "2.5", c: "3" });
      cached.destroy();
    });
  }

  r.destroy();
  other.destroy();
  finish();
}

main().catch((err) => {
  console.log("FAIL:", err);
  process.exit(1);
});
