// The AWS SDK for JavaScript v3 against firehose-local with signature checking on.
// Run by tests/integration/test_local_js_sdk.py, which starts the server and passes
// FIREHOSE_LOCAL_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FirehoseClient,
  CreateDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  ListDeliveryStreamsCommand,
  PutRecordCommand,
  PutRecordBatchCommand,
  DeleteDeliveryStreamCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-firehose";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";

const endpoint = process.env.FIREHOSE_LOCAL_URL;
const region = process.env.AWS_REGION;
const credentials = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
};
assert.ok(endpoint && region && credentials.accessKeyId && credentials.secretAccessKey,
  "FIREHOSE_LOCAL_URL, AWS_REGION and the keys must be set");

const options = { endpoint, region, credentials, maxAttempts: 1 };
const firehose = new FirehoseClient(options);
const cloudwatch = new CloudWatchClient(options);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function createActive(name) {
  await firehose.send(new CreateDeliveryStreamCommand({
    DeliveryStreamName: name,
    DeliveryStreamType: "DirectPut",
    ExtendedS3DestinationConfiguration: {
      RoleARN: "arn:aws:iam::123456789012:role/firehose-js",
      BucketARN: "arn:aws:s3:::local-bucket",
    },
  }));
  for (let i = 0; i < 200; i++) {
    const { DeliveryStreamDescription: d } =
      await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
    if (d.DeliveryStreamStatus === "ACTIVE") return d;
    await sleep(50);
  }
  assert.fail(`${name} never became ACTIVE`);
}

async function metricSum(name, metric, start) {
  const answer = await cloudwatch.send(new GetMetricStatisticsCommand({
    Namespace: "AWS/Firehose",
    MetricName: metric,
    Dimensions: [{ Name: "DeliveryStreamName", Value: name }],
    StartTime: start,
    EndTime: new Date(Date.now() + 5 * 60_000),
    Period: 60,
    Statistics: ["Sum"],
  }));
  assert.equal(answer.Label, metric);
  assert.ok(answer.Datapoints.length > 0, `no datapoints for ${metric}`);
  return answer.Datapoints.reduce((sum, point) => sum + point.Sum, 0);
}

test("create, put, batch, describe, list, metrics, delete", async () => {
  const start = new Date(Date.now() - 5 * 60_000);
  const description = await createActive("js-stream");
  assert.equal(description.DeliveryStreamName, "js-stream");
  assert.equal(description.DeliveryStreamType, "DirectPut");
  assert.match(description.DeliveryStreamARN,
    new RegExp(`^arn:aws:firehose:${region}:\\d{12}:deliverystream/js-stream$`));
  assert.ok(description.CreateTimestamp instanceof Date);

  const single = new TextEncoder().encode("h\u00e9llo from javascript \u2713\n");
  const put = await firehose.send(new PutRecordCommand({
    DeliveryStreamName: "js-stream", Record: { Data: single } }));
  assert.equal(put.RecordId.length, 224);
  assert.equal(put.Encrypted, false);

  const batch = Array.from({ length: 500 }, (_, i) => Uint8Array.from({ length: 64 }, (_, j) => (i + j) % 256));
  const answer = await firehose.send(new PutRecordBatchCommand({
    DeliveryStreamName: "js-stream", Records: batch.map((Data) => ({ Data })) }));
  assert.equal(answer.FailedPutCount, 0);
  assert.equal(answer.RequestResponses.length, 500);
  assert.ok(answer.RequestResponses.every((r) => r.RecordId.length === 224 && !r.ErrorCode));

  const listed = await firehose.send(new ListDeliveryStreamsCommand({}));
  assert.deepEqual(listed.DeliveryStreamNames, ["js-stream"]);
  assert.equal(listed.HasMoreDeliveryStreams, false);

  assert.equal(await metricSum("js-stream", "IncomingRecords", start), 501);
  assert.equal(await metricSum("js-stream", "IncomingBytes", start), single.length + 500 * 64);

  await firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: "js-stream" }));
  for (let i = 0; i < 200; i++) {
    const { DeliveryStreamNames } = await firehose.send(new ListDeliveryStreamsCommand({}));
    if (DeliveryStreamNames.length === 0) return;
    await sleep(50);
  }
  assert.fail("js-stream still listed after delete");
});

test("limits and errors", async () => {
  await createActive("js-limits");
  await assert.rejects(
    firehose.send(new PutRecordCommand({ DeliveryStreamName: "no-such-stream", Record: { Data: new Uint8Array([1]) } })),
    (error) => {
      assert.ok(error instanceof ResourceNotFoundException, `${error.name}: ${error.message}`);
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.ok(error.$metadata.requestId);
      assert.match(error.message, /no-such-stream/);
      return true;
    });
  await assert.rejects(
    firehose.send(new PutRecordBatchCommand({
      DeliveryStreamName: "js-limits", Records: Array.from({ length: 501 }, () => ({ Data: new Uint8Array([1]) })) })),
    (error) => {
      assert.equal(error.name, "ValidationException");
      assert.match(error.message, /Member must have length less than or equal to 500/);
      return true;
    });
  await assert.rejects(
    firehose.send(new PutRecordCommand({ DeliveryStreamName: "js-limits", Record: { Data: new Uint8Array(1024001) } })),
    (error) => {
      assert.equal(error.name, "ValidationException");
      assert.match(error.message, /lim=1024001/);
      return true;
    });
  const wrongKey = new FirehoseClient({ ...options, credentials: { ...credentials, secretAccessKey: "wrong" } });
  await assert.rejects(wrongKey.send(new ListDeliveryStreamsCommand({})),
    (error) => { assert.equal(error.name, "InvalidSignatureException"); return true; });
});
