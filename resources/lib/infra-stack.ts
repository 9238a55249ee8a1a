// The AWS resources `firehose workflow` needs against real AWS: an S3 bucket, the IAM role
// Firehose assumes to write into it, and a DirectPut delivery stream with error logging.
// Synthesises offline: the stack is environment-agnostic (account and region stay
// CloudFormation pseudo parameters), so `cdk synth` needs no credentials and no lookups.
import {
  ArnFormat,
  CfnOutput,
  CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  StackProps,
  Tags,
  aws_iam as iam,
  aws_kinesisfirehose as firehose,
  aws_logs as logs,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct, Node } from 'constructs';

/** Settings read from CDK context (`-c key=value`), validated before anything is built. */
export interface StreamSettings {
  readonly streamName: string;
  readonly bufferSizeMb: number;
  readonly bufferIntervalSeconds: number;
}

export const DEFAULT_SETTINGS: StreamSettings = {
  streamName: 'firehose-workflow-stream',
  // 5 MiB is the service default size; 60 s (service default 300 s) makes the demo's objects
  // appear in S3 about a minute after the run instead of five.
  bufferSizeMb: 5,
  bufferIntervalSeconds: 60,
};

// Service limits (CreateDeliveryStream): stream names 1..64 of [a-zA-Z0-9_.-];
// BufferingHints.SizeInMBs 1..128, IntervalInSeconds 0..900.
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;
const INTEGER = /^(0|[1-9][0-9]*)$/;

function integerContext(node: Node, key: string, fallback: number, min: number, max: number, unit: string): number {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined) return fallback;
  // `-c key=10` arrives as the string "10"; cdk.json or a test may pass the number 10.
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || !INTEGER.test(text) || Number(text) < min || Number(text) > max) {
    throw new Error(`invalid context ${key}=${JSON.stringify(raw)}: must be an integer from ${min} to ${max} (${unit})`);
  }
  return Number(text);
}

/** Reads and validates streamName, bufferSizeMb and bufferIntervalSeconds; throws a clear Error on a bad value. */
export function readSettings(node: Node): StreamSettings {
  const rawName: unknown = node.tryGetContext('streamName');
  const streamName = rawName === undefined ? DEFAULT_SETTINGS.streamName : rawName;
  if (typeof streamName !== 'string' || !STREAM_NAME.test(streamName)) {
    throw new Error(`invalid context streamName=${JSON.stringify(rawName)}: ` +
      'must be 1 to 64 characters of letters, digits, underscore, period or hyphen ([a-zA-Z0-9_.-])');
  }
  return {
    streamName,
    bufferSizeMb: integerContext(node, 'bufferSizeMb', DEFAULT_SETTINGS.bufferSizeMb, 1, 128, 'MiB'),
    bufferIntervalSeconds: integerContext(node, 'bufferIntervalSeconds', DEFAULT_SETTINGS.bufferIntervalSeconds,
      0, 900, 'seconds'),
  };
}

export class InfraStack extends Stack {
  readonly settings: StreamSettings;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const settings = (this.settings = readSettings(this.node));
    Tags.of(this).add('project', 'firehose');

    // Removed with the stack, objects included: this is a demo destination, not an archive.
    const bucket = new s3.Bucket(this, 'DeliveryBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
      // Firehose writes with multipart uploads; a failed one would otherwise be billed forever.
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });

    // Where Firehose reports delivery errors (S3 access denied, ...): the group and the stream
    // inside it are created here, so the role can be limited to exactly that stream.
    const logGroup = new logs.LogGroup(this, 'DeliveryLogGroup', {
      logGroupName: `/aws/kinesisfirehose/${settings.streamName}`,
      retention: logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logStream = new logs.LogStream(this, 'DeliveryLogStream', {
      logGroup,
      logStreamName: 'DestinationDelivery',
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Only Firehose, acting for this account (confused-deputy guard), may assume the role.
    const role = new iam.Role(this, 'DeliveryRole', {
      description: `Assumed by Amazon Data Firehose to deliver ${settings.streamName} to S3`,
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });

    // Exactly what the S3 destination uses (Firehose developer guide, "Grant Firehose access to
    // an Amazon S3 destination"), split by the resource each action applies to.
    const logStreamArn = this.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `${logGroup.logGroupName}:log-stream:${logStream.logStreamName}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const policy = new iam.Policy(this, 'DeliveryPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'BucketLevel',
          actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: [bucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'ObjectLevel',
          actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
          resources: [bucket.arnForObjects('*')],
        }),
        new iam.PolicyStatement({
          sid: 'ErrorLogging',
          actions: ['logs:PutLogEvents'],
          resources: [logStreamArn],
        }),
      ],
    });

    const stream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamName: settings.streamName,
      deliveryStreamType: 'DirectPut',
      // Server-side encryption at rest with an AWS owned key (no KMS charge, no key to manage).
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      extendedS3DestinationConfiguration: {
        bucketArn: bucket.bucketArn,
        roleArn: role.roleArn,
        bufferingHints: {
          sizeInMBs: settings.bufferSizeMb,
          intervalInSeconds: settings.bufferIntervalSeconds,
        },
        compressionFormat: 'GZIP',
        // A custom prefix with !{timestamp} requires an error output prefix as well.
        prefix: 'data/!{timestamp:yyyy/MM/dd/HH}/',
        errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: logGroup.logGroupName,
          logStreamName: logStream.logStreamName,
        },
      },
    });
    // Firehose checks the role when the stream is created: without this the stream could be
    // created before the policy exists and its first deliveries would fail with AccessDenied.
    stream.node.addDependency(policy);

    // aws-cdk-lib's auto-delete provider (autoDeleteObjects above) renders its Lambda with a
    // DependsOn on its role that the Fn::GetAtt of the role already implies; cfn-lint flags it
    // (W3005). Dropping the redundant DependsOn keeps the synthesised template lint-clean.
    const autoDeleteHandler = this.node.tryFindChild('Custom::S3AutoDeleteObjectsCustomResourceProvider')
      ?.node.tryFindChild('Handler');
    if (autoDeleteHandler instanceof CfnResource) autoDeleteHandler.addDeletionOverride('DependsOn');

    // Output names as in the AWS original's template; each is also exported under the same name,
    // which CloudFormation requires to be unique per account and region (one such stack there).
    new CfnOutput(this, 'FirehoseStreamNameOutput', {
      description: 'Delivery stream name: export FIREHOSE_DELIVERY_STREAM=<this>',
      value: stream.ref,
      exportName: 'FirehoseStreamNameOutput',
    });
    new CfnOutput(this, 'BucketNameOutput', {
      description: 'Bucket the stream delivers to (data/ and errors/ prefixes)',
      value: bucket.bucketName,
      exportName: 'BucketNameOutput',
    });
    new CfnOutput(this, 'RoleArnOutput', {
      description: 'Role Firehose assumes to write to the bucket and the log stream',
      value: role.roleArn,
      exportName: 'RoleArnOutput',
    });
  }
}

