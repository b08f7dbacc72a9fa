/**
 * What deploying each real Camunda 8 diagram of tests/fixtures/camunda8-corpus does here, and why.
 * Checked by tests/e2e/camunda8-corpus.e2e-spec.ts, so when the engine changes its answer for a
 * diagram this table (and the summary in libs/workflow/README.md) must change with it.
 *
 * How "would Zeebe deploy it?" was decided, from Camunda 8's documentation and Camunda's own
 * sources: a diagram is judged against the Zeebe version it was written for (its
 * `modeler:executionPlatformVersion`, 1.0 to 8.10 here). Camunda's cross-component e2e suite
 * (@camunda/e2e-test-suite) deploys its resources to real clusters, so they deploy on their
 * version unless a spec says otherwise; the SDK test data is deployed by the SDKs' own tests,
 * except the one file those tests use to provoke a rejected deployment. Where a test fills a
 * diagram in before deploying it, the file as shipped is judged, as Zeebe would see it.
 */

/** Why a problem is there. */
export type RefusalKind =
  /** Zeebe deploys it; this engine documents the construct as not supported (engine README). */
  | 'unsupported'
  /** Zeebe deploys it; this engine refuses it for a reason that is wrong: an engine bug. */
  | 'engine-bug'
  /** Zeebe refuses the diagram too. */
  | 'zeebe-refuses';

export interface ExpectedProblem {
  /** What is refused, as a modeler names it (the README's table counts diagrams per construct). */
  construct: string;
  elementId: string;
  /** A part of the problem's message. */
  says: string;
  kind: RefusalKind;
  /**
   * unsupported: the phrase of libs/workflow/README.md that documents the refusal (compared with
   * runs of white space as one space);
   * engine-bug / zeebe-refuses: what Zeebe does, with its source.
   */
  why: string;
}

export type Expected = 'deploys' | ExpectedProblem[];

const ADHOC_JOB_WORKER =
  'ad-hoc subprocesses handled by a job worker or with an output collection (Camunda 8.8)';
const OUTPUT_NO_SOURCE =
  "the zeebe:output has no source attribute. Zeebe's model requires one on outputs (since 8.8 only an input may omit it, mapping null: camunda/camunda#12961, #30383), so Zeebe rejects the file as shipped: it is a template whose sources Camunda's e2e test fills in in Web Modeler before deploying (fillStartEventVariablesForDocHandling)";

const outputWithoutSource = (target: string): ExpectedProblem => ({
  construct: 'zeebe:output without a source',
  elementId: 'StartEvent_1',
  says: `output mapping to "${target}": the source must be an expression`,
  kind: 'zeebe-refuses',
  why: OUTPUT_NO_SOURCE,
});
const documentHandling: ExpectedProblem[] = [
  outputWithoutSource('zeebeRestAdress'),
  outputWithoutSource('zeebeSecret'),
  outputWithoutSource('zeebeClientId'),
];

export const EXPECTED: Record<string, Expected> = {
  'camunda-e2e-test-suite/resources/Basic_Auth_REST_Connector.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Camunda_Simple_User_Task_1.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Camunda_Simple_User_Task_2.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Camunda_Simple_User_Task_3.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Camunda_Simple_User_Task_4.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Camunda_Simple_User_Task_5.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Candidate_User_Process_Three_Tasks.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Candidate_User_Process_Two_Tasks.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/ConnectorsBasicTest.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Intermediate_Event_Webhook_Connector_No_Auth_Process.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/Job_Worker_Process.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Play_Test_User_Service_Task.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/REST_Connector_Bearer_Auth_Process.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/REST_Connector_No_Auth_Process.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Rest_Connector_Timer_Event.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Start_Event_Webhook_Connector_No_Auth_Process.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Start_Form_Process.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/User_Task_Editing_Variables.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/User_Task_Process_With_Form.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/User_Task_Process_With_Form_2.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/User_Task_Process_With_Form_3.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/User_Task_Process_With_Form_API.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Variable_Process.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Zeebe_User_Task.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/connectors/aws/agentcore-code-interpreter.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/connectors/aws/agentcore-runtime.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/connectors/aws/bedrock-agentcore-ltm.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/connectors/aws/bedrock-knowledge-base.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server/mcp_remote_client_basic_auth.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server/mcp_remote_client_bearer_auth.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server/mcp_remote_client_meta.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server/mcp_remote_client_oauth_auth.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server/mcp_remote_client_operations.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server/mcp_server_list_tools.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_as_tool_call_stale.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_as_tool_call_stale_disabled.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_as_tool_process.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_as_tool_temp.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_as_tool_temp_disabled.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_as_tool_v1.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_as_tool_v2.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_as_tool_with_inputs.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_cluster_tools.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_e2e_v1.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_e2e_v2.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_incident_test_file.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_incident_tools.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_plain_process.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_process_definition_test_file.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_process_definition_tools.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_process_instance_test_file.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_process_instance_tools.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_user_task_test_file.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_user_task_tools.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_variable_test_file.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_saas/mcp_variable_tools.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_sm/mcp_cluster_tools.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_sm/mcp_process_definition_tools.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_sm/mcp_process_instance_tools.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/mcp_server_sm/mcp_user_task_tools.bpmn': 'deploys',
  'camunda8-sdk/backpressure/test-job-process.bpmn': 'deploys',
  'camunda8-zeebe/example/connector_test.bpmn': 'deploys',
  'camunda8-zeebe/example/test.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/BpmnParser.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/BpmnParser2.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/Client-DeployWorkflow.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/Client-MessageStart.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/Client-SkipFirstTask.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/Client-ThrowError.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/Signal.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/Worker-Failure-Retries.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/Worker-Failure1.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/Worker-Failure2.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/Worker-Failure3.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/Worker-LongPoll.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/Worker-RaiseIncident.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/await-outcome-long.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/await-outcome.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/conditional-pathway.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/disconnection.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/generic-test.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/hello-world-complete.bpmn': 'deploys',
  'camunda8-zeebe/src/__tests__/testdata/hello-world.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/Conditional_Events_All.bpmn': [
    ...['Event_073luc7', 'Event_11uzjkf'].map((elementId): ExpectedProblem => ({
      construct: 'conditional events (Camunda 8.9)',
      elementId,
      says: 'conditional boundary event is not supported',
      kind: 'unsupported',
      why: 'conditional and cancel events',
    })),
    {
      construct: 'conditional events (Camunda 8.9)',
      elementId: 'Event_1e4xxhg',
      says: 'conditional intermediate catch event is not supported',
      kind: 'unsupported',
      why: 'conditional and cancel events',
    },
  ],
  'camunda-e2e-test-suite/resources/Connectors_Document_Handling.bpmn': documentHandling,
  'camunda-e2e-test-suite/resources/SM-8.10/SM_Document_Handling_Connectors_User_Flow.bpmn':
    documentHandling,
  'camunda-e2e-test-suite/resources/SM_Document_Handling_Connectors_User_Flow.bpmn':
    documentHandling,
  // the AI agent blueprint (Camunda 8.8), one per LLM provider: an AI Agent connector task and its
  // tools in a multi-instance ad-hoc subprocess (one ad-hoc instance per tool call)
  'camunda-e2e-test-suite/resources/agentic_ai/ai-agent-chat-with-tools_anthropic_bedrock_apikey.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/agentic_ai/ai-agent-chat-with-tools_anthropic_bedrock_credentials.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/agentic_ai/ai-agent-chat-with-tools_aws.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/agentic_ai/ai-agent-chat-with-tools_aws_v1.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/agentic_ai/ai-agent-chat-with-tools_azure.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/agentic_ai/ai-agent-chat-with-tools_gemini_vertex.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/agentic_ai/ai-agent-chat-with-tools_open_ai.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/agentic_ai/v1/ai-agent-chat-with-tools_aws.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/agentic_ai/v1/ai-agent-chat-with-tools_azure.bpmn': 'deploys',
  'camunda-e2e-test-suite/resources/agentic_ai/v1/ai-agent-chat-with-tools_open_ai.bpmn': 'deploys',
  // the AI Agent as an ad-hoc subprocess run by the agent's job worker (Camunda 8.8)
  'camunda-e2e-test-suite/resources/agentic_ai/ai-agent-subprocess-with-tools_aws_key.bpmn': [
    {
      construct: 'ad-hoc subprocess run by a job worker, with an output collection (Camunda 8.8)',
      elementId: 'Activity_1u44499',
      says: 'an ad-hoc subprocess handled by a job worker (Camunda 8.8) is not supported',
      kind: 'unsupported',
      why: ADHOC_JOB_WORKER,
    },
    {
      construct: 'ad-hoc subprocess run by a job worker, with an output collection (Camunda 8.8)',
      elementId: 'Activity_1u44499',
      says: 'outputCollection / outputElement of an ad-hoc subprocess (Camunda 8.8) are not supported',
      kind: 'unsupported',
      why: ADHOC_JOB_WORKER,
    },
  ],
  // a start event whose input text for the vector database is a multi-line FEEL string
  'camunda-e2e-test-suite/resources/connectors/db_vector_connector/db-vector-plain-text_azure_open_ai.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/connectors/db_vector_connector/db-vector-plain-text_open_ai.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/connectors/db_vector_connector/db-vector-plain-text_openai_amazon_opensearch.bpmn':
    'deploys',
  // Camunda 8.9 cluster variables (camunda.vars.env / camunda.vars.tenant)
  'camunda-e2e-test-suite/resources/cluster_variables/cluster_variable_global_scope.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/cluster_variables/cluster_variable_json_mutable.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/cluster_variables/cluster_variable_json_readonly.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/cluster_variables/cluster_variable_string_mutable.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/cluster_variables/cluster_variable_string_readonly.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/cluster_variables/cluster_variable_tenant_json_mutable.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/cluster_variables/cluster_variable_tenant_json_readonly.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/cluster_variables/cluster_variable_tenant_string_mutable.bpmn':
    'deploys',
  'camunda-e2e-test-suite/resources/cluster_variables/cluster_variable_tenant_string_readonly.bpmn':
    'deploys',
  // four user tasks with zeebe:priorityDefinition 1, 26, 51 and 76 (Tasklist: low to critical)
  'camunda-e2e-test-suite/resources/Zeebe_User_Task_Process_With_Priority.bpmn': 'deploys',
  // the SDK's test of a rejected deployment: a service task with type=""
  'camunda8-zeebe/src/__tests__/testdata/Client-BrokenBpmn.bpmn': [
    {
      construct: 'service task with an empty job type',
      elementId: 'ServiceTask_0g6tf5f',
      says: 'needs zeebe:taskDefinition with a type',
      kind: 'zeebe-refuses',
      why: "Zeebe rejects an empty job type: the SDK's test 'does not retry the deployment of a broken BPMN file' deploys this file and expects 3 INVALID_ARGUMENT",
    },
  ],
};
