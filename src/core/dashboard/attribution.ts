// Which span attributes name the user, session and feature a call's spend belongs to. No single
// convention names a feature, so the common spellings of SDKs and observability tools are tried
// in order; the first present wins.

export { USER_ID_ATTRIBUTES } from '../previews';

export const SESSION_ID_ATTRIBUTES = ['session.id', 'gen_ai.conversation.id', 'langfuse.session.id', 'ai.telemetry.metadata.sessionId'];

export const FEATURE_ATTRIBUTES = [
  'app.feature', 'feature', 'feature.name', 'spyglass.feature', 'gen_ai.feature',
  'langfuse.trace.metadata.feature', 'traceloop.association.properties.feature', 'ai.telemetry.metadata.feature',
  'ai.telemetry.functionId', 'langfuse.trace.name',
];

/** The first of `keys` whose value is a non-empty string or a number, as text; null for none. */
export function attributeOf(attrs: Readonly<Record<string, unknown>> | undefined, keys: readonly string[]): string | null {
  if (!attrs) return null;
  for (const k of keys) {
    const v = attrs[k];
    if (typeof v === 'string' ? v !== '' : typeof v === 'number') return String(v);
  }
  return null;
}
