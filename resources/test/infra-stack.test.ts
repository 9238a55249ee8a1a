// aws-cdk-lib/assertions tests of InfraStack, run with `node --test` on the tsc output
// (tests/integration/test_resources.py compiles and runs them; `npm test` does the same).
// The expectations are written out literally, not computed with the stack's own helpers,
// so a change to the stack that widens a permission or drops a setting fails here.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { InfraStack } from '../lib/infra-stack';

// The feature flags of cdk.json, so the template here is the one `cdk synth` writes.
// __dirname is <out>/test after tsc; cdk.json sits next to package.json, found by walking up.
function cdkJsonContext(): Record<string, unknown> {
  for (let dir = __dirname; ; dir = join(dir, '..')) {
    try {
      const text = readFileSync(join(dir, 'cdk.json'), 'utf8');
      return JSON.parse(text).context ?? {};
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dir === '/') throw e;
    }
  }
}

function synth(context: Record<string, unknown> = {}): Template {
  const app = new App({ context: { ...cdkJsonContext(), ...context } });
  return Template.fromStack(new InfraStack(app, 'TestStack'));
}

function logicalId(template: Template, type: string, props: Record<string, unknown> = {}): string {
  const found = Object.keys(template.findResources(type, props));
  assert.equal(found.length, 1, `expected exactly one ${type}, found ${found.join(', ')}`);
  return found[0];
}

const getAtt = (id: string, attr: string) => ({ 'Fn::GetAtt': [id, attr] });
const objectsOf = (bucketId: string) => ({ 'Fn::Join': ['', [getAtt(bucketId, 'Arn'), '/*']] });

const template = synth();
const bucketId = logicalId(template, 'AWS::S3::Bucket');
const roleId = logicalId(template, 'AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: {
  Statement: [Match.objectLike({ Principal: { Service: 'firehose.amazonaws.com' } })] } } });
const policyId = logicalId(template, 'AWS::IAM::Policy');
const logGroupId = logicalId(template, 'AWS::Logs::LogGroup');
const logStreamId = logicalId(template, 'AWS::Logs::LogStream');
const streamId = logicalId(template, 'AWS::KinesisFirehose::DeliveryStream');

test('exactly the expected resources, nothing else', () => {
  const counts: Record<string, number> = {};
  for (const resource of Object.values(template.toJSON().Resources as Record<string, { Type: string }>)) {
    counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  }
  assert.deepEqual(counts, {
    'AWS::S3::Bucket': 1,
    'AWS::S3::BucketPolicy': 1,
    // autoDeleteObjects: a custom resource, its Lambda provider and the provider's role.
    'Custom::S3AutoDeleteObjects': 1,
    'AWS::Lambda::Function': 1,
    'AWS::IAM::Role': 2,
    'AWS::IAM::Policy': 1,
    'AWS::Logs::LogGroup': 1,
    'AWS::Logs::LogStream': 1,
    'AWS::KinesisFirehose::DeliveryStream': 1,
  });
});

test('bucket: encrypted, public access blocked, removed with its objects', () => {
  template.hasResource('AWS::S3::Bucket', {
    DeletionPolicy: 'Delete',
    UpdateReplacePolicy: 'Delete',
    Properties: Match.objectLike({
      BucketEncryption: { ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [
        { AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }] },
    }),
  });
  template.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: bucketId } });
});

test('bucket policy: TLS enforced, and the auto-delete provider is the only other principal', () => {
  const bucketAndObjects = [getAtt(bucketId, 'Arn'), objectsOf(bucketId)];
  const providerRoleId = logicalId(template, 'AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: {
    Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] } } });
  template.hasResourceProperties('AWS::S3::BucketPolicy', {
    Bucket: { Ref: bucketId },
    PolicyDocument: { Version: '2012-10-17', Statement: [
      { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: bucketAndObjects },
      // Written by aws-cdk-lib for autoDeleteObjects (it empties the bucket on stack deletion).
      { Effect: 'Allow', Principal: { AWS: getAtt(providerRoleId, 'Arn') },
        Action: ['s3:DeleteObject*', 's3:GetBucket*', 's3:List*', 's3:PutBucketPolicy'], Resource: bucketAndObjects },
    ] },
  });
});

test('role: trusted only by firehose.amazonaws.com for this account, no other policy attached', () => {
  const role = template.toJSON().Resources[roleId];
  assert.deepEqual(role.Properties.AssumeRolePolicyDocument, {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Service: 'firehose.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    }],
  });
  assert.equal(role.Properties.ManagedPolicyArns, undefined);
  assert.equal(role.Properties.Policies, undefined);
  assert.equal(role.Properties.PermissionsBoundary, undefined);
});

test('role policy: exactly the S3 and logs actions Firehose needs, on exactly its resources', () => {
  const policy = template.toJSON().Resources[policyId];
  assert.deepEqual(policy.Properties.Roles, [{ Ref: roleId }]);
  assert.deepEqual(policy.Properties.PolicyDocument, {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'BucketLevel', Effect: 'Allow',
        Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        Resource: getAtt(bucketId, 'Arn') },
      { Sid: 'ObjectLevel', Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        Resource: objectsOf(bucketId) },
      { Sid: 'ErrorLogging', Effect: 'Allow', Action: 'logs:PutLogEvents',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':',
          { Ref: 'AWS::AccountId' }, ':log-group:', { Ref: logGroupId }, ':log-stream:', { Ref: logStreamId }]] } },
    ],
  });
});

test('no wildcard action and no "*" resource in any identity policy of the template', () => {
  // The provider role's only permission is the AWS managed basic-execution policy (logs).
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
  for (const [id, resource] of Object.entries(resources)) {
    const documents = resource.Type === 'AWS::IAM::Policy' ? [resource.Properties.PolicyDocument]
      : resource.Type === 'AWS::IAM::Role' ? (resource.Properties.Policies ?? []).map((p: any) => p.PolicyDocument)
        : [];
    for (const document of documents) {
      for (const statement of document.Statement) {
        for (const action of [statement.Action].flat()) assert.ok(!action.includes('*'), `${id}: action ${action}`);
        for (const r of [statement.Resource].flat()) assert.notEqual(r, '*', `${id}: Resource "*"`);
      }
    }
  }
});

test('log group and stream: named after the delivery stream, with retention, removed with the stack', () => {
  template.hasResource('AWS::Logs::LogGroup', {
    DeletionPolicy: 'Delete',
    Properties: { LogGroupName: '/aws/kinesisfirehose/firehose-workflow-stream', RetentionInDays: 14 },
  });
  template.hasResource('AWS::Logs::LogStream', {
    DeletionPolicy: 'Delete',
    Properties: { LogGroupName: { Ref: logGroupId }, LogStreamName: 'DestinationDelivery' },
  });
});

test('delivery stream: DirectPut to the bucket, buffering, GZIP, prefixes, error logging', () => {
  const stream = template.toJSON().Resources[streamId];
  assert.equal(stream.Properties.DeliveryStreamName, 'firehose-workflow-stream');
  assert.equal(stream.Properties.DeliveryStreamType, 'DirectPut');
  assert.deepEqual(stream.Properties.DeliveryStreamEncryptionConfigurationInput, { KeyType: 'AWS_OWNED_CMK' });
  assert.deepEqual(stream.Properties.ExtendedS3DestinationConfiguration, {
    BucketARN: getAtt(bucketId, 'Arn'),
    RoleARN: getAtt(roleId, 'Arn'),
    BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 60 },
    CompressionFormat: 'GZIP',
    Prefix: 'data/!{timestamp:yyyy/MM/dd/HH}/',
    ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
    CloudWatchLoggingOptions: { Enabled: true, LogGroupName: { Ref: logGroupId }, LogStreamName: { Ref: logStreamId } },
  });
  // Created only once the role can write: CloudFormation must wait for the policy.
  assert.deepEqual(stream.DependsOn, [policyId]);
});

test('outputs and exports: FirehoseStreamNameOutput, BucketNameOutput, RoleArnOutput', () => {
  const outputs = template.toJSON().Outputs;
  assert.deepEqual(Object.keys(outputs).sort(), ['BucketNameOutput', 'FirehoseStreamNameOutput', 'RoleArnOutput']);
  template.hasOutput('FirehoseStreamNameOutput', { Value: { Ref: streamId }, Export: { Name: 'FirehoseStreamNameOutput' } });
  template.hasOutput('BucketNameOutput', { Value: { Ref: bucketId }, Export: { Name: 'BucketNameOutput' } });
  template.hasOutput('RoleArnOutput', { Value: getAtt(roleId, 'Arn'), Export: { Name: 'RoleArnOutput' } });
});

test('context overrides: stream name and buffering, as strings (-c) and as numbers (cdk.json)', () => {
  for (const [size, interval] of [['64', '0'], [128, 900], ['1', '900']] as const) {
    const t = synth({ streamName: 'My.stream_2-x', bufferSizeMb: size, bufferIntervalSeconds: interval });
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'My.stream_2-x',
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BufferingHints: { SizeInMBs: Number(size), IntervalInSeconds: Number(interval) } }),
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/kinesisfirehose/My.stream_2-x' });
  }
  const longest = 'a'.repeat(64);
  synth({ streamName: longest }).hasResourceProperties('AWS::KinesisFirehose::DeliveryStream',
    { DeliveryStreamName: longest });
});

test('bad context values fail synthesis with a message naming the key and its range', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['streamName', '', /invalid context streamName="": must be 1 to 64 characters/],
    ['streamName', 'a'.repeat(65), /invalid context streamName=.*must be 1 to 64 characters/],
    ['streamName', 'has space', /invalid context streamName="has space"/],
    ['streamName', 'slash/name', /invalid context streamName="slash\/name"/],
    ['bufferSizeMb', '0', /invalid context bufferSizeMb="0": must be an integer from 1 to 128 \(MiB\)/],
    ['bufferSizeMb', '129', /bufferSizeMb="129": must be an integer from 1 to 128/],
    ['bufferSizeMb', '1.5', /bufferSizeMb="1.5"/],
    ['bufferSizeMb', 'abc', /bufferSizeMb="abc"/],
    ['bufferSizeMb', ' 5', /bufferSizeMb=" 5"/],
    ['bufferSizeMb', 5.5, /bufferSizeMb=5.5/],
    ['bufferIntervalSeconds', '901', /bufferIntervalSeconds="901": must be an integer from 0 to 900 \(seconds\)/],
    ['bufferIntervalSeconds', '-1', /bufferIntervalSeconds="-1"/],
    ['bufferIntervalSeconds', '60s', /bufferIntervalSeconds="60s"/],
  ];
  for (const [key, value, message] of cases) {
    assert.throws(() => synth({ [key]: value }), message, `${key}=${JSON.stringify(value)} was accepted`);
  }
});
