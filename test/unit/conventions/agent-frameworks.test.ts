// Agent, tool and workflow spans from the frameworks people use, built from each library's own
// source (named per fixture): structure spans are categorized and never become LLM calls, the
// model spans beneath them do, and content in the frameworks' own shapes becomes canonical parts.
import { describe, expect, it } from 'vitest';
import { analyzeSpan, normalizeSpan } from '../../../src/core/conventions';
import { AGENT_SPAN_RULES, agentNameOf, toolNameOf } from '../../../src/core/conventions/agent-spans';
import type { Attributes, IngestSpan, SpanCategory } from '../../../src/core/model';
import { event, span } from './build';

interface Fixture {
  source: string;
  name: string;
  scope: string;
  attributes: Attributes;
  events?: IngestSpan['events'];
  category: SpanCategory;
  call: boolean;
}

const STRANDS = 'strands-agents/sdk-python 1.x, src/strands/telemetry/tracer.py (commit 006ad58)';
const MASTRA = 'mastra-ai/mastra observability/otel-exporter/src/gen-ai-semantics.ts (getAttributes, getOperationName, getSpanName)';
const COPILOT = 'microsoft/vscode-copilot-chat, docs/monitoring/agent_monitoring.md + src/platform/otel/common/genAiAttributes.ts';

const FIXTURES: Fixture[] = [
  {
    source: STRANDS,
    name: 'invoke_agent Weather Agent',
    scope: 'strands.telemetry.tracer',
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.system': 'strands-agents',
      'gen_ai.agent.name': 'Weather Agent',
      'gen_ai.request.model': 'us.anthropic.claude-sonnet-4-20250514-v1:0',
      'gen_ai.usage.input_tokens': 900,
      'gen_ai.usage.output_tokens': 120,
      'gen_ai.usage.total_tokens': 1020,
    },
    category: 'agent',
    call: false,
  },
  { source: STRANDS, name: 'execute_event_loop_cycle', scope: 'strands.telemetry.tracer', attributes: { 'event_loop.cycle_id': 'c-1', 'gen_ai.event.start_time': '2026-01-01T00:00:00Z' }, category: 'chain', call: false },
  {
    source: STRANDS,
    name: 'execute_tool get_weather',
    scope: 'strands.telemetry.tracer',
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.system': 'strands-agents', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.id': 'tooluse_1', 'gen_ai.tool.status': 'success' },
    events: [event('gen_ai.tool.message', { role: 'tool', content: '{"city": "Oslo"}', id: 'tooluse_1' }), event('gen_ai.choice', { message: '[{"text": "rain"}]', id: 'tooluse_1' })],
    category: 'tool',
    call: false,
  },
  { source: STRANDS, name: 'invoke_swarm', scope: 'strands.telemetry.tracer', attributes: { 'gen_ai.operation.name': 'invoke_swarm', 'gen_ai.system': 'strands-agents', 'gen_ai.agent.name': 'swarm' }, category: 'chain', call: false },
  {
    source: COPILOT,
    name: 'invoke_agent copilot',
    scope: 'copilot-chat',
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.provider.name': 'github', 'gen_ai.agent.name': 'copilot', 'gen_ai.conversation.id': 'conv-1', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 12500, 'gen_ai.usage.output_tokens': 3200, 'copilot_chat.turn_count': 4 },
    category: 'agent',
    call: false,
  },
  { source: COPILOT, name: 'execute_tool readFile', scope: 'copilot-chat', attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'readFile', 'gen_ai.tool.type': 'function', 'gen_ai.tool.call.id': 'call_1' }, category: 'tool', call: false },
  {
    source: COPILOT,
    name: 'chat gpt-4o',
    scope: 'copilot-chat',
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'github', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.conversation.id': 'conv-1', 'gen_ai.usage.input_tokens': 1500, 'gen_ai.usage.output_tokens': 250, 'copilot_chat.time_to_first_token': 450 },
    category: 'llm',
    call: true,
  },
  {
    source: 'pydantic/pydantic-ai pydantic_ai_slim/pydantic_ai/_agent_graph.py + models/instrumented.py (instrumentation version 1)',
    name: 'agent run',
    scope: 'pydantic-ai',
    attributes: { agent_name: 'support_agent', model_name: 'gpt-4o', 'logfire.msg': 'support_agent run', 'gen_ai.usage.input_tokens': 300, 'gen_ai.usage.output_tokens': 30 },
    category: 'agent',
    call: false,
  },
  {
    source: 'pydantic/pydantic-ai pydantic_ai_slim/pydantic_ai/_tool_manager.py (instrumentation version 2: execute_tool {name})',
    name: 'execute_tool customer_balance',
    scope: 'pydantic-ai',
    attributes: { 'gen_ai.tool.name': 'customer_balance', 'gen_ai.tool.call.id': 'call_9', tool_arguments: '{"include_pending":true}', tool_response: '123.45', 'logfire.msg': 'running tool: customer_balance' },
    category: 'tool',
    call: false,
  },
  { source: 'pydantic/pydantic-ai _agent_graph.py (older): the parallel tool group span', name: 'running tools', scope: 'pydantic-ai', attributes: { tools: ['a', 'b'] }, category: 'tool', call: false },
  { source: 'pydantic/logfire logfire/_internal/integrations/openai_agents.py (span names)', name: 'Agent run: {name!r}', scope: 'logfire.openai_agents', attributes: { 'logfire.msg': "Agent run: 'Triage'", 'logfire.msg_template': 'Agent run: {name!r}', 'logfire.span_type': 'span', name: 'Triage' }, category: 'agent', call: false },
  { source: 'pydantic/logfire logfire/_internal/integrations/openai_agents.py (span names)', name: 'Function: {name}', scope: 'logfire.openai_agents', attributes: { 'logfire.msg': 'Function: get_weather', 'logfire.msg_template': 'Function: {name}' }, category: 'tool', call: false },
  {
    source: 'pydantic/logfire logfire/_internal/integrations/openai_agents.py (ResponseSpanData)',
    name: 'Responses API with {gen_ai.request.model!r}',
    scope: 'logfire.openai_agents',
    attributes: { 'logfire.msg': "Responses API with 'gpt-4o'", 'logfire.span_type': 'span', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 83, 'gen_ai.usage.output_tokens': 11 },
    category: 'llm',
    call: true,
  },
  { source: 'pydantic/logfire logfire/_internal/integrations/openai_agents.py (span names)', name: 'Handoff: Triage → Spanish', scope: 'logfire.openai_agents', attributes: {}, category: 'agent', call: false },
  { source: 'langchain-ai/langsmith-sdk python/langsmith/_internal/otel/_otel_exporter.py (langsmith.span.kind)', name: 'agent', scope: 'langsmith', attributes: { 'langsmith.span.kind': 'chain' }, category: 'chain', call: false },
  { source: 'langchain-ai/langsmith-sdk python/langsmith/_internal/otel/_otel_exporter.py (langsmith.span.kind)', name: 'search', scope: 'langsmith', attributes: { 'langsmith.span.kind': 'tool' }, category: 'tool', call: false },
  { source: 'traceloop/openllmetry opentelemetry-instrumentation-langchain (LangGraph graph span)', name: 'LangGraph.workflow', scope: 'opentelemetry.instrumentation.langchain', attributes: { 'traceloop.span.kind': 'workflow', 'traceloop.entity.name': 'LangGraph' }, category: 'chain', call: false },
  { source: 'traceloop/openllmetry opentelemetry-instrumentation-crewai instrumentation.py', name: 'Researcher.agent', scope: 'opentelemetry.instrumentation.crewai', attributes: { 'traceloop.span.kind': 'agent', 'traceloop.entity.name': 'Researcher', 'crewai.agent.role': 'Researcher' }, category: 'agent', call: false },
  { source: 'traceloop/openllmetry opentelemetry-instrumentation-crewai instrumentation.py', name: 'crewai.workflow', scope: 'opentelemetry.instrumentation.crewai', attributes: { 'traceloop.span.kind': 'workflow' }, category: 'chain', call: false },
  { source: 'google/adk-python src/google/adk/telemetry.py (trace_tool_call)', name: 'execute_tool get_weather', scope: 'gcp.vertex.agent', attributes: { 'gen_ai.system': 'gcp.vertex.agent', 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gcp.vertex.agent.tool_call_args': '{"city":"Paris"}' }, category: 'tool', call: false },
  { source: 'google/adk-python src/google/adk/agents/base_agent.py (invoke_agent span)', name: 'invoke_agent weather_agent', scope: 'gcp.vertex.agent', attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'weather_agent' }, category: 'agent', call: false },
  {
    source: 'google/adk-python src/google/adk/telemetry.py (trace_call_llm)',
    name: 'call_llm',
    scope: 'gcp.vertex.agent',
    attributes: { 'gen_ai.system': 'gcp.vertex.agent', 'gen_ai.request.model': 'gemini-2.5-flash', 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 12, 'gcp.vertex.agent.llm_request': '{}' },
    category: 'llm',
    call: true,
  },
  { source: MASTRA, name: 'invoke_agent weatherAgent', scope: '@mastra/otel-exporter', attributes: { 'gen_ai.operation.name': 'invoke_agent', 'mastra.span.type': 'agent_run', 'gen_ai.agent.name': 'weatherAgent', 'gen_ai.agent.id': 'weather-agent' }, category: 'agent', call: false },
  { source: MASTRA, name: 'execute_tool weatherTool', scope: '@mastra/otel-exporter', attributes: { 'gen_ai.operation.name': 'execute_tool', 'mastra.span.type': 'tool_call', 'gen_ai.tool.name': 'weatherTool', 'gen_ai.tool.call.arguments': '{"city":"Oslo"}' }, category: 'tool', call: false },
  { source: MASTRA, name: 'invoke_workflow weather-workflow', scope: '@mastra/otel-exporter', attributes: { 'gen_ai.operation.name': 'invoke_workflow', 'mastra.span.type': 'workflow_run' }, category: 'chain', call: false },
  { source: MASTRA, name: "step: 'step-1'", scope: '@mastra/otel-exporter', attributes: { 'gen_ai.operation.name': 'model_step', 'mastra.span.type': 'model_step' }, category: 'chain', call: false },
  {
    source: MASTRA,
    name: 'chat gpt-4o-mini',
    scope: '@mastra/otel-exporter',
    attributes: { 'gen_ai.operation.name': 'chat', 'mastra.span.type': 'model_generation', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.provider.name': 'openai', 'gen_ai.agent.name': 'weatherAgent', 'gen_ai.usage.input_tokens': 90, 'gen_ai.usage.output_tokens': 9, 'mastra.completion_start_time': '2023-11-14T22:13:20.250Z' },
    category: 'llm',
    call: true,
  },
  { source: 'vercel/ai packages/ai/src/generate-text/run-tools-transformation.ts (ai.toolCall)', name: 'ai.toolCall', scope: 'ai', attributes: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'weather', 'ai.toolCall.id': 'call_1', 'ai.toolCall.args': '{}' }, category: 'tool', call: false },
  { source: 'OpenTelemetry GenAI agent spans (gen-ai-agent-spans.md): plan and create_agent', name: 'plan', scope: 'any', attributes: { 'gen_ai.operation.name': 'plan', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 10 }, category: 'agent', call: false },
  { source: 'OpenTelemetry GenAI agent spans (gen-ai-agent-spans.md): invoke_workflow', name: 'invoke_workflow', scope: 'any', attributes: { 'gen_ai.operation.name': 'invoke_workflow' }, category: 'chain', call: false },
];

describe('agent, tool and workflow spans of the frameworks', () => {
  for (const f of FIXTURES) {
    it(`${f.name} (${f.source.split(' ')[0]})`, () => {
      const s = span(f.attributes, { name: f.name, scope: { name: f.scope }, events: f.events ?? [] });
      const { category, call } = analyzeSpan(s, []);
      expect(category).toBe(f.category);
      expect(call !== null).toBe(f.call);
    });
  }

  it('reads Google ADK’s call_llm request and response models as the conversation', () => {
    // google/adk-python src/google/adk/telemetry/tracing.py trace_call_llm (llm_request / llm_response JSON).
    const s = span(
      {
        'gen_ai.system': 'gcp.vertex.agent',
        'gen_ai.request.model': 'gemini-2.5-flash',
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': 12,
        'gcp.vertex.agent.llm_request': JSON.stringify({
          model: 'gemini-2.5-flash',
          config: { system_instruction: 'You are a weather agent.', temperature: 0.1, tools: [{ function_declarations: [{ name: 'get_weather' }] }] },
          contents: [
            { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
            { role: 'model', parts: [{ function_call: { id: 'adk-1', name: 'get_weather', args: { city: 'Paris' } } }] },
            { role: 'user', parts: [{ function_response: { id: 'adk-1', name: 'get_weather', response: { result: 'sunny' } } }] },
          ],
        }),
        'gcp.vertex.agent.llm_response': JSON.stringify({ content: { role: 'model', parts: [{ text: 'Sunny in Paris.' }] }, finish_reason: 'STOP' }),
      },
      { name: 'call_llm', scope: { name: 'gcp.vertex.agent' } },
    );
    const call = analyzeSpan(s, []).call!;
    expect(call.systemInstructions).toEqual([{ type: 'text', content: 'You are a weather agent.' }]);
    expect(call.inputMessages.map((m) => m.parts[0]!.type)).toEqual(['text', 'tool_call', 'tool_call_response']);
    expect(call.outputMessages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Sunny in Paris.' }], finish_reason: 'stop' }]);
    expect(call.params).toMatchObject({ temperature: 0.1 });
    expect(call.toolDefinitions).toHaveLength(1);
  });

  it('reads Mastra’s completion start time as the time to first token', () => {
    const f = FIXTURES.find((x) => x.source === MASTRA && x.call)!;
    const s = span(f.attributes, { name: f.name, scope: { name: f.scope } });
    expect(analyzeSpan(s, []).call!.ttftMs).toBe(250);
  });

  it('a span with no model and no usage is never a call, whatever content it carries', () => {
    const toolWithContent = span({ 'gen_ai.tool.name': 'search' }, { name: 'my step', events: [event('gen_ai.user.message', { content: 'hi' }), event('gen_ai.choice', { message: { content: 'yo' } })] });
    expect(normalizeSpan(toolWithContent, [])).toBeNull();
  });

  it('every rule is exercised by a fixture or names a framework', () => {
    for (const r of AGENT_SPAN_RULES) expect(r.framework.length).toBeGreaterThan(1);
  });

  it('reads agent and tool names', () => {
    expect(agentNameOf('invoke_agent Weather Agent', {})).toBe('Weather Agent');
    expect(agentNameOf("Agent run: 'Triage'", {})).toBe('Triage');
    expect(agentNameOf('x', { 'gen_ai.agent.name': 'copilot' })).toBe('copilot');
    expect(agentNameOf('agent run', { agent_name: 'support' })).toBe('support');
    expect(toolNameOf('execute_tool readFile', {})).toBe('readFile');
    expect(toolNameOf('Function: get_weather', {})).toBe('get_weather');
    // Logfire names spans by template; the formatted message says which agent and tool.
    expect(agentNameOf('Agent run: {name!r}', { 'logfire.msg': "Agent run: 'Triage'" })).toBe('Triage');
    expect(toolNameOf('Function: {name}', { 'logfire.msg': 'Function: get_weather' })).toBe('get_weather');
  });
});

describe("Strands' content blocks become canonical parts", () => {
  // tracer.py start_model_invoke_span / _add_event_messages (no opt-in): one event per message with
  // `content` = the message's Bedrock content blocks as JSON; end_model_invoke_span: gen_ai.choice
  // with `message` = the reply's blocks and `finish_reason`.
  const chat = span(
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'strands-agents',
      'gen_ai.request.model': 'us.anthropic.claude-sonnet-4-20250514-v1:0',
      'gen_ai.usage.input_tokens': 200,
      'gen_ai.usage.output_tokens': 40,
      'gen_ai.usage.total_tokens': 240,
      'gen_ai.server.time_to_first_token': 380,
    },
    {
      name: 'chat',
      kind: 1,
      scope: { name: 'strands.telemetry.tracer' },
      events: [
        event('gen_ai.user.message', { content: '[{"text": "Weather in Oslo?"}]' }, 1),
        event('gen_ai.assistant.message', { content: '[{"text": "Checking."}, {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Oslo"}}}]' }, 2),
        event('gen_ai.tool.message', { content: '[{"toolResult": {"toolUseId": "tooluse_1", "status": "success", "content": [{"text": "rain, 7C"}]}}]' }, 3),
        event('gen_ai.choice', { finish_reason: 'end_turn', message: '[{"reasoningContent": {"reasoningText": {"text": "It rains."}}}, {"text": "Rain and 7C in Oslo."}]' }, 4),
      ],
    },
  );

  it('text, tool calls with arguments, tool results, reasoning', () => {
    const call = normalizeSpan(chat, [])!;
    expect(call.inputMessages).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Oslo?' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'Checking.' }, { type: 'tool_call', id: 'tooluse_1', name: 'get_weather', arguments: { city: 'Oslo' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'tooluse_1', response: 'rain, 7C' }] },
    ]);
    expect(call.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'reasoning', content: 'It rains.' }, { type: 'text', content: 'Rain and 7C in Oslo.' }], finish_reason: 'end_turn' },
    ]);
    expect(call.ttftMs).toBe(380);
  });

  it('text that merely looks like JSON stays text', () => {
    const s = span({ 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 1, 'gen_ai.usage.output_tokens': 1 }, { events: [event('gen_ai.user.message', { content: '[{"city": "Oslo"}]' })] });
    expect(normalizeSpan(s, [])!.inputMessages[0]!.parts).toEqual([{ type: 'text', content: '[{"city": "Oslo"}]' }]);
  });
});
