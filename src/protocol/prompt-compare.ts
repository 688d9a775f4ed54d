// Messages between the host and the prompt comparison webview: two versions (or variants) side
// by side, every figure with its interval and verdict. The host owns the state and sends it whole.

import type { PromptComparisonDto } from './api';
import type { RequestSpec } from './webview';

export const PROMPT_COMPARE_VIEW_TYPE = 'spyglass.promptCompare';

export interface PromptCompareSide {
  promptId: string;
  version: string;
}

export interface PromptCompareState {
  a: PromptCompareSide;
  b: PromptCompareSide;
  status: 'loading' | 'ready' | 'error';
  comparison: PromptComparisonDto | null;
  error: string | null;
  /** Where each version's text lives in the workspace, when found ("app/prompts.py:12 · abc1234"). */
  sources: { a: string | null; b: string | null };
  /** A's calls that were replayed with B's text, against those replays (the same inputs on each side). */
  replays?: boolean;
}

export type PromptCompareHostToWebview = {
  commands: Record<never, never>;
  requests: Record<never, never>;
  notifications: { didChangeState: PromptCompareState };
};

export type PromptCompareWebviewToHost = {
  commands: {
    /** Opens the two texts in the native diff editor. */
    openDiff: Record<string, never>;
    /** Shows B against A the other way round. */
    swap: Record<string, never>;
    openSource: { side: 'a' | 'b' };
    /** Sends A's recent calls again with B's text, then compares A's originals against the replays. */
    replayWithB: Record<string, never>;
  };
  requests: { reload: RequestSpec<Record<string, never>, PromptCompareState> };
  notifications: Record<never, never>;
};
