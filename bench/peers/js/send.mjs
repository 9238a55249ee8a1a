// Peer (d): the AWS SDK for JavaScript v3 (@aws-sdk/client-firehose, pinned in package-lock.json)
// as a careful Node.js user would write it: lines read with readline, batches of 500 records or
// 3 MiB of data (the base64 body stays under the 4 MiB request limit), IN_FLIGHT calls at once,
// each line sent with its "\n", only the records that failed inside an answer sent again
// (exponential backoff, full jitter, up to 10 attempts a record); whole calls that fail are
// retried by the SDK itself (its standard retry strategy, 3 attempts).
// Usage: node send.mjs STREAM FILE [IN_FLIGHT]   (endpoint from AWS_ENDPOINT_URL, region and
// credentials from the environment; NODE_EXTRA_CA_CERTS for a self-signed HTTPS endpoint).
// Prints one JSON summary line on stdout.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";

const [stream, path, inFlightArg] = process.argv.slice(2);
const inFlight = Number(inFlightArg ?? 8);
const MAX_RECORDS = 500, MAX_DATA_BYTES = 3 * 1024 * 1024, MAX_ATTEMPTS = 10;
const client = new FirehoseClient({ endpoint: process.env.AWS_ENDPOINT_URL, maxAttempts: 3 });
const counts = { records: 0, acknowledged: 0, failed: 0, retries: 0, throttled: 0 };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function sendBatch(batch) {
  let pending = batch;
  for (let attempt = 1; ; attempt++) {
    let answer;
    try {
      answer = await client.send(new PutRecordBatchCommand({
        DeliveryStreamName: stream, Records: pending.map((data) => ({ Data: data })) }));
    } catch {  // the SDK already retried the call
      counts.failed += pending.length;
      return;
    }
    if (answer.FailedPutCount === 0) {
      counts.acknowledged += pending.length;
      return;
    }
    const again = pending.filter((_, i) => answer.RequestResponses[i].ErrorCode);
    counts.acknowledged += pending.length - again.length;
    counts.throttled += answer.RequestResponses.filter((e) => e.ErrorCode === "ServiceUnavailableException").length;
    if (attempt === MAX_ATTEMPTS) {
      counts.failed += again.length;
      return;
    }
    counts.retries += again.length;
    pending = again;
    await sleep(Math.random() * Math.min(5000, 100 * 2 ** (attempt - 1)));
  }
}

const start = performance.now();
const running = new Set();
async function dispatch(batch) {
  counts.records += batch.length;
  const call = sendBatch(batch).finally(() => running.delete(call));
  running.add(call);
  if (running.size >= inFlight) await Promise.race(running);
}

let batch = [], size = 0;
for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
  const data = Buffer.from(line + "\n");
  if (batch.length && (batch.length === MAX_RECORDS || size + data.length > MAX_DATA_BYTES)) {
    await dispatch(batch);
    batch = [];
    size = 0;
  }
  batch.push(data);
  size += data.length;
}
if (batch.length) await dispatch(batch);
await Promise.all(running);
console.log(JSON.stringify({ ...counts, seconds: Math.round(performance.now() - start) / 1000 }));
