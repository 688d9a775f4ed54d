// Types for apt.mjs (the scripts are plain JavaScript; tests import this one).
export type AptPlan = { kind: 'nothing' } | { kind: 'run'; commands: string[][] } | { kind: 'cannot'; message: string };
export function aptPlan(m: { pkgs: string[]; hasAptGet: boolean; isRoot: boolean; hasSudo: boolean; interactive: boolean }): AptPlan;
export function aptFailed(pkgs: string[], command: string[], status: number | null, isRoot: boolean): string;
