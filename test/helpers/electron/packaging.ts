// What electron-builder would put into the app, asked of electron-builder's own file matchers
// (app-builder-lib's getMainFileMatchers / getNodeModuleFileMatcher / FileMatcher), so the checks
// follow its rules: app files by the `files` patterns, node_modules of production dependencies
// filtered by the exclusions only, `asarUnpack` for what stays outside the archive.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const configPath = join(root, 'build/electron-builder.json');

type Filter = (file: string, stat: { isDirectory(): boolean }) => boolean;
interface Matcher {
  createFilter(): Filter;
}
interface FileMatcherModule {
  FileMatcher: new (from: string, to: string, expand: (p: string) => string, patterns?: string[]) => Matcher;
  getMainFileMatchers(
    appDir: string,
    dest: string,
    expand: (p: string) => string,
    platformOptions: object,
    platformPackager: object,
    outDir: string,
    isElectronCompile: boolean,
  ): Matcher[];
  getNodeModuleFileMatcher(
    appDir: string,
    dest: string,
    expand: (p: string) => string,
    platformOptions: object,
    packager: object,
  ): Matcher;
}

const fm = createRequire(import.meta.url)(
  join(root, 'node_modules/app-builder-lib/out/fileMatcher.js'),
) as FileMatcherModule;

export type Config = Record<string, unknown> & {
  files: string[];
  asarUnpack: string[];
  mac: Record<string, unknown>;
  linux: Record<string, unknown>;
  win: Record<string, unknown>;
};
export const config = (): Config => JSON.parse(readFileSync(configPath, 'utf8')) as Config;

export type Os = 'mac' | 'linux' | 'win';

const file = { isDirectory: () => false };

export function packagedFilter(
  os: Os,
  arch: string,
  cfg: Config = config(),
): { app: (rel: string) => boolean; nodeModules: (rel: string) => boolean; unpacked: (rel: string) => boolean } {
  const expand = (p: string) =>
    p
      .replace(/\$\{arch\}/g, arch)
      .replace(/\$\{os\}/g, os)
      .replace(/\$\{version\}/g, '0.0.0');
  const platformOptions = cfg[os] as object;
  const info = {
    projectDir: root,
    buildResourcesDir: 'build',
    config: structuredClone(cfg),
    isPrepackedAppAsar: false,
    debugLogger: { isEnabled: false },
  };
  const [main] = fm.getMainFileMatchers(root, '/app', expand, platformOptions, { info }, join(root, 'release'), false);
  const appFilter = main!.createFilter();
  const nmFilter = fm.getNodeModuleFileMatcher(root, '/app', expand, platformOptions, info).createFilter();
  const unpackFilter = new fm.FileMatcher(root, '/app', expand, cfg.asarUnpack).createFilter();
  return {
    app: (rel) => appFilter(join(root, rel), file),
    nodeModules: (rel) => nmFilter(join(root, rel), file),
    unpacked: (rel) => unpackFilter(join(root, rel), file),
  };
}

/** Bare module names the built bundles import at runtime (not Node built-ins, not electron). */
export function bundleImports(code: string): string[] {
  const names = new Set<string>();
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"'./\s][^"'\s]*)["']/gm;
  for (const m of code.matchAll(re)) {
    const spec = m[1]!;
    if (spec.startsWith('node:') || spec === 'electron' || spec.startsWith('electron/')) continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return [...names];
}
