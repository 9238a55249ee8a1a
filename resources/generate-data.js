#!/usr/bin/env node
// Writes N records in the AWS "Firehose: put records" example's shape, one compact JSON
// object a line (NDJSON), for `firehose workflow --records FILE` or `firehose send`:
//
//   {"ip_address":"203.0.113.7","timestamp":1735689601,"alert_level":"High"}
//
// Node.js only, no dependencies. Deterministic: the same --seed gives the same bytes on every
// machine and Node version (a 32-bit PRNG in integer arithmetic, no Math.random, no clock):
//   - ip_address: four octets, the first 1..223 (unicast ranges), the others 0..255;
//   - timestamp: unix seconds, starting at BASE_TIME (2025-01-01T00:00:00Z) and advancing
//     by 0, 1 or 2 seconds a record, so the data reads like a log of about an hour per
//     2,550 records;
//   - alert_level: Low 40 %, Medium 30 %, High 20 %, Critical 10 %.
// Streams: a bounded chunk in memory at a time, and it waits for 'drain' when the output is
// slower than generation, so memory stays flat for any --count. A closed stdout (piped into
// `head`) ends the run quietly with status 0, like a SIGPIPE in other tools.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const DEFAULT_COUNT = 2550; // the AWS example's data set size
const DEFAULT_SEED = 2550; // as `firehose generate`, which writes the same bytes for a seed
const BASE_TIME = 1735689600; // 2025-01-01T00:00:00Z
const LEVELS = [['Low', 40], ['Medium', 30], ['High', 20], ['Critical', 10]];
const CHUNK_BYTES = 64 * 1024;
const PROGRAM = path.basename(__filename);

const USAGE = `usage: node ${PROGRAM} [--count N] [--seed S] [--output FILE]

Writes N records, one JSON object a line:
  {"ip_address":"<IPv4>","timestamp":<unix seconds>,"alert_level":"Low|Medium|High|Critical"}

  --count N      number of records, 0 or more (default ${DEFAULT_COUNT})
  --seed S       integer 0..${Number.MAX_SAFE_INTEGER}; the same seed gives the same bytes (default ${DEFAULT_SEED})
  --output FILE  write to FILE instead of stdout (created or truncated)
  --help         this text

Timestamps start at ${BASE_TIME} (2025-01-01T00:00:00Z) and advance 0 to 2 s a record.
Exit status: 0 done, 1 write error, 2 bad arguments.
`;

class UsageError extends Error {}

function parseInteger(option, text) {
  if (!/^(0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${option} needs an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got '${text}'`);
  }
  return Number(text);
}

function parseArgs(argv) {
  const options = { count: DEFAULT_COUNT, seed: DEFAULT_SEED, output: null, help: false };
  const seen = new Set();
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--help' || arg === '-h') {
      if (value !== undefined) throw new UsageError(`${arg} takes no value`);
      options.help = true;
      continue;
    }
    if (!['--count', '--seed', '--output'].includes(arg)) {
      throw new UsageError(`unknown argument '${argv[i]}'`);
    }
    if (seen.has(arg)) throw new UsageError(`${arg} given twice`);
    seen.add(arg);
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      value = argv[++i];
    }
    if (arg === '--count') options.count = parseInteger(arg, value);
    else if (arg === '--seed') options.seed = parseInteger(arg, value);
    else if (value === '') throw new UsageError('--output needs a file name');
    else options.output = value;
  }
  return options;
}

// sfc32 (Chris Doty-Humphrey's Small Fast Counter), state from the seed's low and high
// 32 bits through splitmix32, then 12 outputs discarded, as its author recommends.
function makeRandom(seed) {
  let s = 0;
  const splitmix32 = () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  s = seed % 0x100000000 | 0;
  let a = splitmix32();
  s ^= Math.floor(seed / 0x100000000) | 0;
  let b = splitmix32();
  let c = splitmix32();
  let d = 1;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next();
  // An integer in [0, n), n <= 2^32, by rejection (no modulo bias).
  return (n) => {
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = next();
      if (x < limit) return x % n;
    }
  };
}

function* records(count, seed) {
  const random = makeRandom(seed);
  const totalWeight = LEVELS.reduce((sum, [, w]) => sum + w, 0);
  let timestamp = BASE_TIME;
  for (let i = 0; i < count; i++) {
    const ip = `${1 + random(223)}.${random(256)}.${random(256)}.${random(256)}`;
    let pick = random(totalWeight);
    let level = LEVELS[0][0];
    for (const [name, weight] of LEVELS) {
      if (pick < weight) { level = name; break; }
      pick -= weight;
    }
    // Built by hand (fixed key order, no spaces); every value is plain ASCII, nothing to escape.
    yield `{"ip_address":"${ip}","timestamp":${timestamp},"alert_level":"${level}"}\n`;
    timestamp += random(3);
  }
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${PROGRAM}: ${e.message} (try --help)\n`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }

  const out = options.output === null ? process.stdout : fs.createWriteStream(options.output);
  const target = options.output === null ? 'stdout' : options.output;
  let failure = null;
  let closedReader = false;
  let wake = null;
  out.on('error', (e) => {
    if (out === process.stdout && e.code === 'EPIPE') closedReader = true; // reader went away: stop quietly
    else failure = failure || e;
    if (wake) wake();
  });
  out.on('drain', () => { if (wake) wake(); });
  const stopped = () => failure !== null || closedReader;

  let chunk = '';
  for (const line of records(options.count, options.seed)) {
    chunk += line;
    if (chunk.length < CHUNK_BYTES) continue;
    const more = out.write(chunk);
    chunk = '';
    // Backpressure: wait until the stream has flushed (or failed) before producing more.
    if (!more && !stopped()) await new Promise((resolve) => { wake = resolve; });
    wake = null;
    if (stopped()) break;
  }
  if (!stopped()) {
    await new Promise((resolve) => {
      wake = resolve;
      if (out === process.stdout) out.write(chunk, () => resolve());
      else out.end(chunk, () => resolve());
    });
  }
  if (failure !== null) {
    process.stderr.write(`${PROGRAM}: cannot write ${target}: ${failure.message}\n`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  process.stderr.write(`${PROGRAM}: ${e && e.stack ? e.stack : e}\n`);
  process.exitCode = 1;
});
