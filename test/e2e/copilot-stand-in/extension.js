// Stand-in for GitHub Copilot Chat's OpenTelemetry export (see README.md). Reads the settings
// once at activation, as Copilot Chat does, and exports one session over OTLP/HTTP JSON.
'use strict';
const vscode = require('vscode');
const crypto = require('crypto');

const hex = (n) => crypto.randomBytes(n).toString('hex');
const str = (v) => ({ stringValue: String(v) });
const int = (v) => ({ intValue: String(v) });
const attrs = (o) => Object.entries(o).filter(([, v]) => v !== undefined).map(([key, v]) => ({ key, value: typeof v === 'number' && Number.isInteger(v) ? int(v) : typeof v === 'number' ? { doubleValue: v } : typeof v === 'boolean' ? { boolValue: v } : str(v) }));

function session(capture) {
  const traceId = hex(16);
  const t0 = Date.now() - 20_000;
  const ns = (ms) => String(BigInt(Math.round((t0 + ms) * 1000)) * 1000n);
  const spans = [];
  const span = (name, parent, start, end, kind, a, events) => {
    const spanId = hex(8);
    spans.push({ traceId, spanId, parentSpanId: parent || '', name, kind, startTimeUnixNano: ns(start), endTimeUnixNano: ns(end), attributes: attrs(a), events: events || [], status: {} });
    return spanId;
  };
  const conv = 'conv-' + hex(4);
  const chat = (parent, start, end, input, output, cached, text, finish, tools) =>
    span('chat gpt-4o', parent, start, end, 3, {
      'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'github', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-11-20',
      'gen_ai.conversation.id': conv, 'gen_ai.request.max_tokens': 4096, 'gen_ai.response.id': 'chatcmpl-' + hex(6), 'gen_ai.response.finish_reasons': JSON.stringify([finish]),
      'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output, 'gen_ai.usage.cache_read.input_tokens': cached,
      'copilot_chat.time_to_first_token': 420, 'copilot_chat.request.max_prompt_tokens': 128000, 'server.address': 'api.githubcopilot.com',
      'gen_ai.input.messages': capture ? JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is the retry logic in this repo?' }] }]) : undefined,
      'gen_ai.output.messages': capture ? JSON.stringify([{ role: 'assistant', parts: tools ? tools.map((t) => ({ type: 'tool_call', id: t.id, name: t.name, arguments: t.args })) : [{ type: 'text', content: text }], finish_reason: finish }]) : undefined,
    });
  const root = span('invoke_agent copilot', '', 0, 19_000, 1, {
    'gen_ai.operation.name': 'invoke_agent', 'gen_ai.provider.name': 'github', 'gen_ai.agent.name': 'copilot', 'gen_ai.conversation.id': conv,
    'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 21_000, 'gen_ai.usage.output_tokens': 900, 'copilot_chat.turn_count': 2,
  });
  chat(root, 100, 3_000, 6_000, 200, 4_000, null, 'tool_calls', [{ id: 'call_read', name: 'readFile', args: { filePath: 'src/retry.ts' } }, { id: 'call_sub', name: 'runSubagent', args: { prompt: 'find retry callers' } }]);
  span('execute_tool readFile', root, 3_100, 3_200, 1, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'readFile', 'gen_ai.tool.type': 'function', 'gen_ai.tool.call.id': 'call_read', 'gen_ai.tool.call.arguments': capture ? '{"filePath":"src/retry.ts"}' : undefined });
  const tool = span('execute_tool runSubagent', root, 3_300, 14_000, 1, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'runSubagent', 'gen_ai.tool.type': 'function', 'gen_ai.tool.call.id': 'call_sub' });
  const sub = span('invoke_agent Explore', tool, 3_400, 13_900, 1, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.provider.name': 'github', 'gen_ai.agent.name': 'Explore', 'gen_ai.usage.input_tokens': 9_000, 'gen_ai.usage.output_tokens': 400 });
  chat(sub, 3_500, 6_000, 4_000, 150, 0, null, 'tool_calls', [{ id: 'call_s', name: 'searchFiles', args: { query: 'retry(' } }]);
  span('execute_tool searchFiles', sub, 6_100, 6_300, 1, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'searchFiles', 'gen_ai.tool.type': 'function', 'gen_ai.tool.call.id': 'call_s' });
  chat(sub, 6_400, 13_800, 5_000, 250, 3_000, 'retry() is called from fetcher.ts and queue.ts.', 'stop');
  chat(root, 14_100, 18_900, 9_000, 300, 8_000, 'The retry logic lives in src/retry.ts; fetcher.ts and queue.ts call it.', 'stop');
  const resource = { attributes: attrs({ 'service.name': 'copilot-chat', 'service.version': '0.0.1-stand-in', 'session.id': hex(8) }) };
  return { traceId, body: { resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'copilot-chat' }, spans }] }] }, resource };
}

function metrics(resource) {
  const now = String(BigInt(Date.now()) * 1000000n);
  const start = String(BigInt(Date.now() - 60_000) * 1000000n);
  const base = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'github', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-11-20' };
  const hist = (a, count, sum, bounds, counts) => ({ attributes: attrs(a), startTimeUnixNano: start, timeUnixNano: now, count: String(count), sum, bucketCounts: counts.map(String), explicitBounds: bounds });
  return {
    resourceMetrics: [{ resource, scopeMetrics: [{ scope: { name: 'copilot-chat' }, metrics: [
      { name: 'gen_ai.client.operation.duration', unit: 's', histogram: { aggregationTemporality: 2, dataPoints: [hist(base, 4, 17.4, [1, 2.5, 5, 10], [0, 1, 2, 1, 0])] } },
      { name: 'gen_ai.client.token.usage', unit: '{token}', histogram: { aggregationTemporality: 2, dataPoints: [hist({ ...base, 'gen_ai.token.type': 'input' }, 4, 24_000, [1024, 4096, 16384], [0, 1, 3, 0]), hist({ ...base, 'gen_ai.token.type': 'output' }, 4, 900, [64, 256, 1024], [0, 2, 2, 0])] } },
      { name: 'copilot_chat.tool.call.count', unit: 'calls', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ attributes: attrs({ 'gen_ai.tool.name': 'readFile', success: true }), startTimeUnixNano: start, timeUnixNano: now, asInt: '1' }] } },
    ] }] }],
  };
}

// Like an OTLP exporter, retry while the collector is not up yet (it starts with the window too).
async function post(url, body) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.ok) return;
      if (res.status < 500 || Date.now() > deadline) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
    } catch (err) {
      if (Date.now() > deadline || /HTTP 4/.test(err.message)) throw err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function activate(context) {
  const out = vscode.window.createOutputChannel('Copilot Chat OTel stand-in');
  context.subscriptions.push(out);
  const cfg = vscode.workspace.getConfiguration('github.copilot.chat.otel');
  if (!cfg.get('enabled')) {
    out.appendLine('OTel export off');
    return;
  }
  const endpoint = String(cfg.get('otlpEndpoint')).replace(/\/+$/, '');
  const exporter = cfg.get('exporterType');
  if (exporter !== 'otlp-http') {
    out.appendLine(`exporter ${exporter}: the stand-in only speaks otlp-http`);
    return;
  }
  const s = session(cfg.get('captureContent') === true);
  try {
    await post(`${endpoint}/v1/traces`, s.body);
    await post(`${endpoint}/v1/metrics`, metrics(s.resource));
    out.appendLine(`exported session ${s.traceId} to ${endpoint}`);
    vscode.window.setStatusBarMessage(`Copilot stand-in exported ${s.traceId}`, 60_000);
  } catch (err) {
    out.appendLine(`export failed: ${err.message}`);
  }
}

module.exports = { activate, deactivate() {} };
