// Instruction counts of a workload, for figures that must not swing with the machine's load:
// the bench script runs itself under `valgrind --tool=callgrind` (which counts every instruction
// the process executes, repeatably) once with the workload and once without it, and the
// difference divided by the repetitions is the workload's count per repetition. Node runs
// single-threaded (the garbage collector and the compiler work on the counted thread) and in V8's
// predictable mode (fixed seeds and garbage-collection schedule), so two runs of the same work
// differ by a few hundred instructions.

import { spawnSync } from 'node:child_process';

/** Whether valgrind can be run here. */
export function valgrindAvailable(): boolean {
  return spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Instructions executed by this script run with `args` (in its child mode) under callgrind. */
export function instructionsOf(args: string[]): number {
  const script = process.argv[1]!;
  const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', '--predictable', '--predictable-gc-schedule', '--random-seed=1', script, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const m = /Collected\s*:\s*(\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`valgrind run failed (${args.join(' ')}): ${(r.stderr ?? '').split('\n').slice(-5).join(' ')}`);
  return Number(m[1]);
}
