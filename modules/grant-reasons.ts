/**
 * Why each identity-policy statement exists, by its Sid: the call Metaflow, AWS or a person makes that needs
 * it. docs/iam.md shows these beside the statements of every shipped config, and a test fails when a
 * statement has no Sid, a Sid has no reason, or a reason has no statement left.
 */
export const GRANT_REASONS: Readonly<Record<string, string>> = {
  // The ECS agent on Batch EC2 instances (AWS's AmazonEC2ContainerServiceforEC2Role, scoped).
  EcsAgent: "The ECS agent registers its instance in the cluster Batch made for the compute environment, polls it for tasks and reports their state.",
  EcsTagOnRegister: "The agent tags its container instance as it registers (only on that create action, as AWS's managed policy grants it).",
  EcsDiscover: "The agent finds its ECS endpoint and reads its instance's tags to propagate them; neither call has a resource.",
  PullImages: "Pulling a container image from ECR (resource: the repositories of the account and region): a job image, or a service image kept in ECR.",
  EcrLogin: "The ECR login token that precedes every pull; account-wide by AWS's design.",
  WriteJobLogs: "A job's output goes to the awslogs driver's group /aws/batch/job, which `metaflow logs` reads.",
  WriteLogs: "The metadata service's containers write their logs to the service's log group.",
  // Jobs (the job role) and people: Metaflow's datastore.
  DatastoreBucket: "The datastore lists the bucket (metaflow.S3 list_paths, the content-addressed store's existence checks).",
  DatastoreObjects: "Reading and writing artifacts, code packages and logs (get_object, put_object, upload_file and the abort of a failed multipart upload); people may also delete old runs' objects.",
  DatastoreKey: "SSE-KMS: each PutObject asks for a data key, each GetObject decrypts one.",
  ForeachTable: "A foreach on Step Functions: jobs record and read the split's cardinality in the table (dynamo_db_client.py: put_item, get_item, update_item).",
  // The metadata service's task execution role.
  DatabaseSecret: "ECS reads the database's RDS-managed master secret into the containers' `secrets` as a task starts.",
  DatabaseSecretKey: "The secret is encrypted with the database's KMS key.",
  // Step Functions state machines of `step-functions create`.
  SubmitJobs: "Each step is a Batch job submitted to one of the stack's queues with a Metaflow job definition.",
  WatchJobs: "A `.sync` Batch task polls the job it submitted until it ends.",
  StopAndTagJobs: "Stopping a run stops its jobs; jobs and definitions are tagged when METAFLOW_BATCH_EMIT_TAGS is on.",
  BatchSyncRule: "Step Functions keeps the managed EventBridge rule through which it learns that `.sync` Batch jobs ended.",
  ExecutionLogDelivery: "Step Functions delivers execution logs through CloudWatch Logs' vended delivery, whose calls accept only `*`.",
  DistributedMap: "A foreach as a Distributed Map starts, watches and stops child executions of the flow's state machine.",
  DistributedMapResults: "A Distributed Map writes its results under metaflow/sfn_distributed_map_output/ in the datastore (ResultWriter).",
  DistributedMapResultsKey: "Those results are encrypted with the datastore's key.",
  ForeachCardinality: "The state machine reads a foreach's cardinality from the table (a dynamodb:getItem task).",
  // EventBridge for @schedule.
  StartExecutions: "A flow's @schedule rule starts its state machine.",
  // The restart on password rotation.
  RestartTheService: "After the database password rotates, the restart state machine forces a new deployment of the metadata service, so new tasks read the new password.",
  StartTheRestart: "The rotation rule starts the restart state machine.",
  // VPC flow logs.
  DeliverFlowLogs: "VPC flow logs are delivered into the stack's flow-log group.",
  // People (the users' role or policy): Metaflow's client on a laptop or a notebook.
  RegisterJobDefinitions: "`run --with batch` registers a job definition per step image and resources.",
  DescribeAndListJobs: "The client reads queues, environments, definitions and jobs as it runs them; `batch list` and `batch kill` list jobs. None of these calls has a resource.",
  PassJobRoles: "A registered job definition names the job role (and, on Fargate, the execution role): only for Batch and ECS tasks.",
  PassStepFunctionsRole: "`step-functions create` gives the state machine its role: only to Step Functions.",
  PassEventBridgeRole: "@schedule gives the rule its role to start the state machine: only to EventBridge.",
  ReadJobLogs: "`metaflow logs` reads a Batch job's log stream.",
  StateMachines: "`step-functions create`, `delete`, `trigger`, `terminate` and `list-runs` on the flows' state machines and their executions.",
  ListStateMachines: "`step-functions create` looks its state machine up by name; listing has no resource.",
  Schedules: "`step-functions create` writes, changes and removes a flow's @schedule rule.",
};
