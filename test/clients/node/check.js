// Shared by the client scenarios: named steps that report ok/FAIL, and the
// server address from REDIS_ADDR (host:port).
"use strict";
const assert = require("node:assert/strict");

const failures = [];

async function step(name, fn) {
  const start = Date.now();
  try {
    await fn();
    console.log(`ok   ${name} (${Date.now() - start} ms)`);
  } catch (err) {
    failures.push(name);
    console.log(`FAIL ${name}: ${(err && err.stack) || err}`);
  }
}

function finish() {
  if (failures.length > 0) {
    console.log(`${failures.length} step(s) failed: ${failures.join(", ")}`);
    process.exit(1);
  }
  console.log("all steps passed");
  process.exit(0);
}

function address() {
  const addr = process.env.REDIS_ADDR || "127.0.0.1:6379";
  const i = addr.lastIndexOf(":");
  return { host: addr.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(addr.slice(i + 1)) };
}

// plain turns null-prototype objects and Maps into plain objects, so replies
// compare with deepEqual whatever shape a client version picks.
function plain(v) {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object" && !Buffer.isBuffer(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// eventually retries fn until it stops throwing, for up to ms.
async function eventually(fn, ms = 3000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(10);
    }
  }
}

const sorted = (a) => [...a].map(String).sort();

module.exports = { assert, step, finish, address, plain, sleep, eventually, sorted };
