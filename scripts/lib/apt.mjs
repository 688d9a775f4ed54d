// How scripts/e2e-setup.mjs gets the Debian packages the end-to-end tests need, and what it says
// when it cannot: no apt-get (not Debian or Ubuntu), not root and no sudo, or apt-get failing.

const SKIP = 'Or run everything else without the end-to-end suite: SPYGLASS_SKIP_E2E=1 npm test';

/**
 * The apt-get command lines to run for `pkgs`, or why they cannot run.
 * @param {{ pkgs: string[], hasAptGet: boolean, isRoot: boolean, hasSudo: boolean, interactive: boolean }} m
 * @returns {{ kind: 'nothing' } | { kind: 'run', commands: string[][] } | { kind: 'cannot', message: string }}
 */
export function aptPlan({ pkgs, hasAptGet, isRoot, hasSudo, interactive }) {
  if (pkgs.length === 0) return { kind: 'nothing' };
  const list = pkgs.join(' ');
  if (!hasAptGet) {
    return {
      kind: 'cannot',
      message:
        `the end-to-end tests need ${list}, and this machine has no apt-get to install them (it is not Debian or Ubuntu).\n` +
        `  Install them with your system's package manager (Chromium must be at the path in test/e2e/e2e-config.json), then run the tests again.\n  ${SKIP}`,
    };
  }
  if (!isRoot && !hasSudo) {
    return {
      kind: 'cannot',
      message:
        `the end-to-end tests need ${list}; installing them takes root, and this user is not root and has no sudo.\n` +
        `  Ask an administrator to run: apt-get install -y ${list}\n  then run the tests again.\n  ${SKIP}`,
    };
  }
  // Without a terminal sudo cannot ask for a password: -n makes it fail at once instead of waiting.
  const pre = isRoot ? ['apt-get'] : ['sudo', ...(interactive ? [] : ['-n']), '--preserve-env=DEBIAN_FRONTEND', 'apt-get'];
  return { kind: 'run', commands: [[...pre, 'update', '-q'], [...pre, 'install', '-y', '-q', ...pkgs]] };
}

/** What to say when an apt-get command line ran and failed. */
export function aptFailed(pkgs, command, status, isRoot) {
  const list = pkgs.join(' ');
  return (
    `\`${command.join(' ')}\` failed (${status === null ? 'it did not run' : `exit code ${status}`}; its output is above).\n` +
    `  The end-to-end tests need ${list}. Install them yourself${isRoot ? '' : ' (as root, or with sudo)'}: apt-get install -y ${list}\n` +
    `  then run the tests again.\n  ${SKIP}`
  );
}
