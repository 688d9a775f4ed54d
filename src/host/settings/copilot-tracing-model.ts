// "Trace Copilot Chat with Spyglass", the pure part: which of Copilot Chat's settings point its
// OpenTelemetry export at Spyglass, what changes, and how to put back what was there. Setting
// names from microsoft/vscode-copilot-chat docs/monitoring/agent_monitoring.md:
// `github.copilot.chat.otel.enabled`, `.exporterType` (otlp-http | otlp-grpc | console | file),
// `.otlpEndpoint`, `.captureContent`.

export const COPILOT_OTEL_PREFIX = 'github.copilot.chat.otel';
export const COPILOT_CHAT_EXTENSION_ID = 'GitHub.copilot-chat';

export type SettingValue = string | number | boolean | null | undefined;

/** One setting's value in user settings before Spyglass changed it (undefined: it was not set). */
export interface SavedSetting {
  key: string;
  previous: SettingValue;
}

export interface CopilotTracingPlan {
  /** The settings to write, in order, with their new values. */
  changes: Array<{ key: string; value: string | boolean }>;
}

export interface CopilotTracingChoice {
  httpPort: number;
  grpcPort: number | null;
  /** OTLP over gRPC rather than HTTP (HTTP works everywhere; gRPC needs Spyglass's gRPC port). */
  grpc: boolean;
  captureContent: boolean;
}

export function endpointFor(choice: Pick<CopilotTracingChoice, 'httpPort' | 'grpcPort' | 'grpc'>): string {
  const port = choice.grpc && choice.grpcPort !== null ? choice.grpcPort : choice.httpPort;
  return `http://127.0.0.1:${port}`;
}

export function planCopilotTracing(choice: CopilotTracingChoice): CopilotTracingPlan {
  const grpc = choice.grpc && choice.grpcPort !== null;
  return {
    changes: [
      { key: `${COPILOT_OTEL_PREFIX}.enabled`, value: true },
      { key: `${COPILOT_OTEL_PREFIX}.exporterType`, value: grpc ? 'otlp-grpc' : 'otlp-http' },
      { key: `${COPILOT_OTEL_PREFIX}.otlpEndpoint`, value: endpointFor({ ...choice, grpc }) },
      { key: `${COPILOT_OTEL_PREFIX}.captureContent`, value: choice.captureContent },
    ],
  };
}

function show(v: SettingValue): string {
  return v === undefined ? '(not set)' : JSON.stringify(v);
}

/** One line per setting: `key: old → new`, for the message that says what changed. */
export function describeChanges(plan: CopilotTracingPlan, saved: readonly SavedSetting[]): string[] {
  return plan.changes.map((c) => {
    const before = saved.find((s) => s.key === c.key)?.previous;
    return `${c.key}: ${show(before)} → ${show(c.value)}`;
  });
}

/**
 * What to keep so "undo" restores the user's own settings: the values before the first change.
 * Running the command again keeps the first saved values, so undo never restores Spyglass's own.
 */
export function mergeSaved(existing: readonly SavedSetting[] | undefined, current: readonly SavedSetting[]): SavedSetting[] {
  if (!existing || existing.length === 0) return [...current];
  const out = [...existing];
  for (const c of current) if (!out.some((s) => s.key === c.key)) out.push(c);
  return out;
}

/** Whether saved state is well formed (it comes back from the extension's global storage). */
export function isSavedList(v: unknown): v is SavedSetting[] {
  return (
    Array.isArray(v) &&
    v.every((s) => typeof s === 'object' && s !== null && typeof (s as SavedSetting).key === 'string' && (s as SavedSetting).key.startsWith(`${COPILOT_OTEL_PREFIX}.`))
  );
}
