// What the suite and the benches run beside VS Code: the small apps in
// test/e2e/app that send traces (run on the provisioned Node 22; each prints one JSON line).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { node22, repoRoot } from './paths';

/**
 * Runs an app script to its end (killed after `timeoutMs`), keeps its output in `logFile`, and
 * resolves to the JSON of its last stdout line.
 */
export function runApp<T>(script: string, env: NodeJS.ProcessEnv, logFile: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(node22, [script], { cwd: repoRoot, env: { ...process.env, OTEL_SDK_DISABLED: undefined, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      writeFileSync(logFile, `${stdout}\n--- stderr\n${stderr}`);
      if (code !== 0) return reject(new Error(`${script} exited with ${code}:\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as T);
      } catch {
        reject(new Error(`${script} printed no result:\n${stdout}\n${stderr}`));
      }
    });
  });
}
