// Strict request checks, the way the real APIs refuse requests (400 with the provider's message):
// required fields, the shape of each message and content block, and the rules that tie a tool
// result to its tool call. The fakes run them when started with `strict: true`; a test can also
// call them directly. Each returns the first problem found, or null for a request the API takes.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkJsonSchema(s: unknown, where: string): string | null {
  if (!isObj(s)) return `${where}: must be a JSON schema object`;
  if (s.type !== undefined && s.type !== 'object') return `${where}: schema type must be "object", got ${JSON.stringify(s.type)}`;
  return null;
}

/** OpenAI Chat Completions (`POST /v1/chat/completions`). */
export function checkChatCompletionsRequest(b: Obj): string | null {
  if (typeof b.model !== 'string' || b.model === '') return "you must provide a model parameter";
  if (!Array.isArray(b.messages) || b.messages.length === 0) return "'messages' must be a non-empty array";
  const open = new Set<string>();
  for (const [i, m] of b.messages.entries()) {
    if (!isObj(m)) return `messages[${i}]: must be an object`;
    const role = m.role;
    if (!['system', 'developer', 'user', 'assistant', 'tool', 'function'].includes(String(role))) return `messages[${i}].role: invalid value ${JSON.stringify(role)}`;
    if (role === 'tool') {
      if (typeof m.tool_call_id !== 'string') return `messages[${i}]: missing required parameter 'tool_call_id'`;
      if (!open.has(m.tool_call_id)) {
        return `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'. (tool_call_id ${m.tool_call_id} at messages[${i}])`;
      }
      open.delete(m.tool_call_id);
      if (typeof m.content !== 'string' && !Array.isArray(m.content)) return `messages[${i}].content: must be a string or an array`;
      continue;
    }
    if (open.size > 0) return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
    if (role === 'assistant') {
      if (m.tool_calls !== undefined) {
        if (!Array.isArray(m.tool_calls) || m.tool_calls.length === 0) return `messages[${i}].tool_calls: must be a non-empty array`;
        for (const [j, c] of m.tool_calls.entries()) {
          if (!isObj(c) || typeof c.id !== 'string' || c.type !== 'function' || !isObj(c.function)) return `messages[${i}].tool_calls[${j}]: expected {id, type: "function", function}`;
          if (typeof c.function.name !== 'string') return `messages[${i}].tool_calls[${j}].function.name: required`;
          if (typeof c.function.arguments !== 'string') return `messages[${i}].tool_calls[${j}].function.arguments: expected a string`;
          open.add(c.id);
        }
      } else if (typeof m.content !== 'string' && !Array.isArray(m.content)) {
        return `messages[${i}]: an assistant message needs content or tool_calls`;
      }
      continue;
    }
    if (typeof m.content === 'string') continue;
    if (!Array.isArray(m.content)) return `messages[${i}].content: must be a string or an array of content parts`;
    for (const [j, part] of m.content.entries()) {
      if (!isObj(part)) return `messages[${i}].content[${j}]: must be an object`;
      if (part.type === 'text' && typeof part.text === 'string') continue;
      if (part.type === 'image_url' && isObj(part.image_url) && typeof part.image_url.url === 'string') continue;
      if (part.type === 'input_audio' || part.type === 'file') continue;
      return `messages[${i}].content[${j}].type: invalid value ${JSON.stringify(part.type)}`;
    }
  }
  if (b.tools !== undefined) {
    if (!Array.isArray(b.tools)) return "'tools' must be an array";
    for (const [i, t] of b.tools.entries()) {
      if (!isObj(t) || t.type !== 'function' || !isObj(t.function) || typeof t.function.name !== 'string') return `tools[${i}]: expected {type: "function", function: {name, parameters}}`;
      if (t.function.parameters !== undefined) {
        const e = checkJsonSchema(t.function.parameters, `tools[${i}].function.parameters`);
        if (e) return e;
      }
    }
  }
  if (b.stream_options !== undefined && b.stream !== true) return "The 'stream_options' parameter is only allowed when 'stream' is enabled.";
  for (const k of ['temperature', 'top_p', 'max_tokens', 'seed', 'n', 'frequency_penalty', 'presence_penalty']) {
    if (b[k] !== undefined && typeof b[k] !== 'number') return `Invalid type for '${k}': expected a number`;
  }
  if (b.top_k !== undefined) return "Unrecognized request argument supplied: top_k";
  return null;
}

/** OpenAI Responses (`POST /v1/responses`). */
export function checkResponsesRequest(b: Obj): string | null {
  if (typeof b.model !== 'string') return "Missing required parameter: 'model'.";
  if (typeof b.input !== 'string' && !Array.isArray(b.input)) return "Missing required parameter: 'input'.";
  const calls = new Set<string>();
  for (const [i, item] of (Array.isArray(b.input) ? b.input : []).entries()) {
    if (!isObj(item)) return `input[${i}]: must be an object`;
    if (item.type === 'function_call') {
      if (typeof item.call_id !== 'string' || typeof item.name !== 'string' || typeof item.arguments !== 'string') return `input[${i}]: function_call needs call_id, name and arguments (a string)`;
      calls.add(item.call_id);
    } else if (item.type === 'function_call_output') {
      if (typeof item.call_id !== 'string') return `input[${i}]: missing required parameter 'call_id'`;
      if (!calls.has(item.call_id)) return `No tool call found for function call output with call_id ${item.call_id}.`;
      if (typeof item.output !== 'string' && !Array.isArray(item.output)) return `input[${i}].output: expected a string`;
    } else if (item.type === undefined || item.type === 'message') {
      if (!['user', 'assistant', 'system', 'developer'].includes(String(item.role))) return `input[${i}].role: invalid value ${JSON.stringify(item.role)}`;
      if (typeof item.content !== 'string' && !Array.isArray(item.content)) return `input[${i}].content: must be a string or an array`;
    } else if (item.type !== 'reasoning' && item.type !== 'item_reference') {
      return `input[${i}].type: invalid value ${JSON.stringify(item.type)}`;
    }
  }
  if (b.tools !== undefined) {
    if (!Array.isArray(b.tools)) return "'tools' must be an array";
    for (const [i, t] of b.tools.entries()) {
      if (!isObj(t) || typeof t.type !== 'string') return `tools[${i}].type: required`;
      if (t.type === 'function' && typeof t.name !== 'string') return `Missing required parameter: 'tools[${i}].name'.`;
    }
  }
  for (const k of ['stop', 'seed', 'max_tokens', 'messages']) if (b[k] !== undefined) return `Unsupported parameter: '${k}'.`;
  return null;
}

const ANTHROPIC_ID = /^[a-zA-Z0-9_-]+$/;

/** Anthropic Messages (`POST /v1/messages`), headers included. */
export function checkAnthropicRequest(b: Obj, headers: Record<string, string | string[] | undefined>): string | null {
  if (!headers['anthropic-version']) return 'anthropic-version: header is required';
  if (typeof b.model !== 'string') return 'model: Field required';
  if (typeof b.max_tokens !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(b.messages)) return 'messages: Field required';
  if (b.system !== undefined && typeof b.system !== 'string' && !Array.isArray(b.system)) return 'system: Input should be a valid string or list';
  let pending: Set<string> | null = null;
  for (const [i, m] of b.messages.entries()) {
    if (!isObj(m)) return `messages.${i}: Input should be a valid dictionary`;
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    if (!Array.isArray(blocks)) return `messages.${i}.content: Input should be a valid list`;
    if (blocks.length === 0) return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    if (pending) {
      const results = blocks.filter((x) => isObj(x) && x.type === 'tool_result') as Obj[];
      for (const id of pending) {
        if (!results.some((r) => r.tool_use_id === id)) return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${id}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
      const firstOther = blocks.findIndex((x) => !isObj(x) || x.type !== 'tool_result');
      if (firstOther !== -1 && blocks.slice(firstOther).some((x) => isObj(x) && x.type === 'tool_result')) return `messages.${i}: tool_result blocks must come before any other content`;
    }
    const used = new Set<string>();
    for (const [j, x] of blocks.entries()) {
      if (!isObj(x)) return `messages.${i}.content.${j}: Input should be a valid dictionary`;
      const where = `messages.${i}.content.${j}`;
      if (x.type === 'text') {
        if (typeof x.text !== 'string' || x.text === '') return `${where}: text content blocks must be non-empty`;
      } else if (x.type === 'tool_use') {
        if (m.role !== 'assistant') return `${where}: tool_use blocks are only allowed in assistant messages`;
        if (typeof x.id !== 'string' || !ANTHROPIC_ID.test(x.id)) return `${where}.id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
        if (!isObj(x.input)) return `${where}.input: Input should be a valid dictionary`;
        used.add(x.id);
      } else if (x.type === 'tool_result') {
        if (m.role !== 'user') return `${where}: tool_result blocks are only allowed in user messages`;
        if (!pending?.has(String(x.tool_use_id))) return `${where}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(x.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      } else if (x.type === 'image' || x.type === 'document') {
        if (!isObj(x.source)) return `${where}.source: Field required`;
      } else if (x.type !== 'thinking' && x.type !== 'redacted_thinking') {
        return `${where}.type: Input tag ${JSON.stringify(x.type)} found using 'type' does not match any of the expected tags`;
      }
    }
    pending = used.size > 0 ? used : null;
  }
  if (b.tools !== undefined) {
    if (!Array.isArray(b.tools)) return 'tools: Input should be a valid list';
    for (const [i, t] of b.tools.entries()) {
      if (!isObj(t) || typeof t.name !== 'string') return `tools.${i}.name: Field required`;
      if (t.type === undefined || t.type === 'custom') {
        const e = checkJsonSchema(t.input_schema, `tools.${i}.input_schema`);
        if (e) return e;
      }
    }
  }
  for (const k of ['seed', 'n', 'frequency_penalty', 'presence_penalty', 'response_format']) if (b[k] !== undefined) return `${k}: Extra inputs are not permitted`;
  return null;
}

/** Gemini generateContent / streamGenerateContent. */
export function checkGeminiRequest(b: Obj): string | null {
  if (!Array.isArray(b.contents) || b.contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
  const called: string[] = [];
  for (const [i, c] of b.contents.entries()) {
    if (!isObj(c)) return `Invalid value at 'contents[${i}]'`;
    if (c.role !== undefined && c.role !== 'user' && c.role !== 'model' && c.role !== 'function') return `Please use a valid role: user, model. (contents[${i}].role ${JSON.stringify(c.role)})`;
    if (!Array.isArray(c.parts) || c.parts.length === 0) return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`;
    for (const [j, p] of c.parts.entries()) {
      if (!isObj(p)) return `Invalid value at 'contents[${i}].parts[${j}]'`;
      if (isObj(p.functionCall)) {
        if (c.role !== 'model') return `contents[${i}].parts[${j}]: a functionCall must come from the model`;
        called.push(String(p.functionCall.name));
      } else if (isObj(p.functionResponse)) {
        const fr = p.functionResponse;
        if (typeof fr.name !== 'string' || !called.includes(fr.name)) return `* GenerateContentRequest.contents[${i}].parts[${j}].function_response.name: no function call named ${JSON.stringify(fr.name)} precedes it`;
        if (!isObj(fr.response)) return `Invalid value at 'contents[${i}].parts[${j}].function_response.response' (type.googleapis.com/google.protobuf.Struct)`;
      } else if (typeof p.text !== 'string' && !isObj(p.inlineData) && !isObj(p.fileData)) {
        return `Invalid value at 'contents[${i}].parts[${j}]': unknown part`;
      }
    }
  }
  if (b.systemInstruction !== undefined && (!isObj(b.systemInstruction) || !Array.isArray(b.systemInstruction.parts))) return "Invalid value at 'system_instruction'";
  if (b.generationConfig !== undefined) {
    if (!isObj(b.generationConfig)) return "Invalid value at 'generation_config'";
    const known = new Set(['temperature', 'topP', 'topK', 'maxOutputTokens', 'stopSequences', 'seed', 'candidateCount', 'presencePenalty', 'frequencyPenalty', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'thinkingConfig', 'responseModalities']);
    for (const k of Object.keys(b.generationConfig)) if (!known.has(k)) return `Invalid JSON payload received. Unknown name "${k}" at 'generation_config': Cannot find field.`;
  }
  for (const k of Object.keys(b)) {
    if (!['contents', 'systemInstruction', 'system_instruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent'].includes(k)) {
      return `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`;
    }
  }
  return null;
}
