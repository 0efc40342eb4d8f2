// `npm start`: builds and launches the desktop app. Where the Electron runtime cannot be obtained
// (no binary and no way to download it, or no display to show a window on), it says so in one line
// and runs the headless `samsa start --ui` instead, which prints the console's URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const electronDir = join(root, 'node_modules', 'electron');

/** The Electron executable, downloading it first if needed; or why there is none. */
export function electronRuntime(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): { path: string } | { reason: string } {
  if (env.SAMSA_NO_ELECTRON) return { reason: 'SAMSA_NO_ELECTRON is set' };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY)
    return { reason: 'there is no display to show a window on' };
  if (!existsSync(join(electronDir, 'package.json'))) return { reason: 'the electron package is not installed' };
  const installed = () => {
    const pathFile = join(electronDir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const exe = join(
      env.ELECTRON_OVERRIDE_DIST_PATH ?? join(electronDir, 'dist'),
      readFileSync(pathFile, 'utf8').trim(),
    );
    return existsSync(exe) ? exe : undefined;
  };
  let exe = installed();
  if (!exe) {
    // The electron package fetches its binary on first use.
    const r = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 300_000,
      encoding: 'utf8',
    });
    exe = installed();
    if (!exe) {
      const why =
        (r.stderr ?? '')
          .split('\n')
          .map((l) => l.trim())
          .find((l) => /error|fail/i.test(l)) ?? `exit ${r.status ?? r.signal}`;
      return { reason: `its binary could not be downloaded (${why})` };
    }
  }
  return { path: exe };
}

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => {
      child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
    child.on('error', (e) => {
      console.error(`samsa: could not run ${cmd}: ${e.message}`);
      resolve(1);
    });
  });
}

async function main(): Promise<number> {
  const runtime = electronRuntime();
  if ('path' in runtime) {
    const built = await run(bin('electron-vite'), ['build', '--logLevel', 'warn']);
    if (built !== 0) return built;
    return run(runtime.path, [root]);
  }
  console.log(
    `Samsa: the Electron runtime is not available here (${runtime.reason}); starting \`samsa start --ui\` instead.`,
  );
  const built = await run(bin('vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
  if (built !== 0) return built;
  return run(process.execPath, [join(root, 'bin', 'samsa.js'), 'start', '--ui', ...process.argv.slice(2)]);
}

if (import.meta.main) process.exitCode = await main();
