#!/usr/bin/env node
// CDK app entry (cdk.json "app"). Context: -c streamName=NAME -c bufferSizeMb=1..128
// -c bufferIntervalSeconds=0..900. The stack is environment-agnostic: `cdk deploy` takes the
// account and region from the AWS profile in use; `cdk synth` needs no credentials.
import { App } from 'aws-cdk-lib';
import { InfraStack } from '../lib/infra-stack';

const app = new App();
new InfraStack(app, 'FirehoseWorkflowStack', {
  description: 'firehose workflow: S3 bucket, IAM role and DirectPut Firehose delivery stream (resources/)',
});
app.synth();
