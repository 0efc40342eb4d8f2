// The electron-builder config: valid by electron-builder's own JSON schema, macOS dmg+zip for arm64
// and x64 with the hardened runtime, and every file the app loads at runtime inside the package.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { appPaths } from '../../../electron/main/app.ts';
import { config, configPath, packagedFilter, root } from '../../helpers/electron/packaging.ts';

const schema = JSON.parse(readFileSync(join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<
    string,
    {
      os?: string[];
      cpu?: string[];
      optional?: boolean;
      dev?: boolean;
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    }
  >;
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string;
  dependencies: Record<string, string>;
};

describe('electron-builder config', () => {
  it("is valid by electron-builder's schema (and the validator does reject a broken one)", () => {
    const cfg = config();
    expect(validate(cfg), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...cfg, mac: { ...cfg.mac, hardenedRuntime: 'yes' } })).toBe(false);
    expect(validate({ ...cfg, notAnOption: 1 })).toBe(false);
  });

  it('builds dmg and zip for arm64 and x64, developer-tools, hardened runtime, entitlements, notarization, icon, no rebuild', () => {
    const cfg = config();
    const mac = cfg.mac as {
      target: { target: string; arch: string[] }[];
      category: string;
      hardenedRuntime: boolean;
      entitlements: string;
      entitlementsInherit: string;
      notarize: boolean;
      icon: string;
    };
    expect(mac.target.map((t) => t.target).sort()).toEqual(['dmg', 'zip']);
    for (const t of mac.target) expect([...t.arch].sort()).toEqual(['arm64', 'x64']);
    expect(mac.category).toBe('public.app-category.developer-tools');
    expect(mac.hardenedRuntime).toBe(true);
    expect(mac.notarize).toBe(true);
    const plist = readFileSync(join(root, mac.entitlements), 'utf8');
    expect(plist).toContain('<key>com.apple.security.cs.allow-jit</key>');
    expect(mac.entitlementsInherit).toBe(mac.entitlements);
    const icon = readFileSync(join(root, mac.icon));
    expect(icon.subarray(1, 4).toString()).toBe('PNG');
    expect(icon.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
    expect(cfg.npmRebuild).toBe(false);
    expect((cfg.linux as { target: string[] }).target).toEqual(['AppImage', 'deb']);
    expect((cfg.win as { target: { target: string }[] }).target[0]!.target).toBe('nsis');
  });

  it('the app entry (package.json main) and every file the main process loads are packaged', () => {
    const f = packagedFilter('mac', 'arm64');
    expect(pkg.main).toBe('out/main/index.js');
    const paths = appPaths(join(root, 'out/main'));
    const needed = [
      pkg.main,
      paths.preload,
      join(paths.rendererDir, 'index.html'),
      join(paths.rendererDir, 'assets/index-abc.js'),
      paths.brokerEntry,
      join(paths.settingsDir, 'settings.html'),
      join(paths.settingsDir, 'settings.js'),
      join(paths.settingsDir, 'settings.css'),
      paths.trayIcon,
      'out/main/chunks/service-abc.js',
      'package.json',
    ];
    for (const p of needed) {
      const rel = p.startsWith(root) ? p.slice(root.length) : p;
      expect(f.app(rel), rel).toBe(true);
    }
    for (const p of [paths.settingsDir + '/settings.html', paths.trayIcon]) expect(existsSync(p), p).toBe(true);
    // Sources, tests, build scripts and this config stay out.
    for (const rel of [
      'core/console/service.ts',
      'electron/main/app.ts',
      'test/helpers/electron/packaging.ts',
      'build/make-icons.ts',
      'build/electron-builder.json',
      'out/main/index.js.map',
      'renderer/src/main.ts',
    ]) {
      expect(f.app(rel), rel).toBe(false);
    }
  });

  for (const arch of ['arm64', 'x64']) {
    it(`ships only darwin-${arch} native binaries of better-sqlite3, unpacked from the asar`, () => {
      const f = packagedFilter('mac', arch);
      const prebuild = `node_modules/better-sqlite3/prebuilds/darwin-${arch}.node`;
      expect(f.nodeModules(prebuild)).toBe(true);
      expect(f.unpacked(prebuild)).toBe(true);
      expect(f.nodeModules(`node_modules/better-sqlite3/lib/darwin-${arch}.js`)).toBe(true);
      expect(f.nodeModules('node_modules/better-sqlite3/lib/index.js')).toBe(true);
      for (const other of [
        'linux-x64',
        'linux-arm64',
        'linuxmusl-x64',
        'win32-x64',
        `darwin-${arch === 'arm64' ? 'x64' : 'arm64'}`,
      ]) {
        expect(f.nodeModules(`node_modules/better-sqlite3/prebuilds/${other}.node`), other).toBe(false);
      }
      expect(f.nodeModules('node_modules/better-sqlite3/deps/sqlite3/sqlite3.c')).toBe(false);
    });
  }

  it('linux and windows builds take their own better-sqlite3 binary', () => {
    expect(packagedFilter('linux', 'x64').nodeModules('node_modules/better-sqlite3/prebuilds/linux-x64.node')).toBe(
      true,
    );
    expect(packagedFilter('linux', 'x64').nodeModules('node_modules/better-sqlite3/prebuilds/darwin-x64.node')).toBe(
      false,
    );
    expect(packagedFilter('win', 'x64').nodeModules('node_modules/better-sqlite3/prebuilds/win32-x64.node')).toBe(true);
  });

  it('the native addons (crc32, snappy, lz4) have darwin arm64 and x64 packages in the lockfile, whose .node files are packaged unpacked', () => {
    const f = packagedFilter('mac', 'arm64');
    for (const dep of ['@node-rs/crc32', 'snappy', 'lz4-napi']) {
      expect(pkg.dependencies[dep], dep).toBeDefined();
      const optional = Object.keys(lock.packages[`node_modules/${dep}`]?.optionalDependencies ?? {});
      for (const [os, cpu] of [
        ['darwin', 'arm64'],
        ['darwin', 'x64'],
      ] as const) {
        const name = optional.find(
          (n) =>
            lock.packages[`node_modules/${n}`]?.os?.includes(os) &&
            lock.packages[`node_modules/${n}`]?.cpu?.includes(cpu),
        );
        expect(name, `${dep} for ${os}-${cpu}`).toBeDefined();
        expect(lock.packages[`node_modules/${name}`]!.dev, name).not.toBe(true);
        const addon = `node_modules/${name}/${name!.split('/').pop()}.node`;
        expect(f.nodeModules(addon), addon).toBe(true);
        expect(f.unpacked(addon), addon).toBe(true);
      }
    }
  });

  it('is the config the packaging scripts use', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['dist:mac']).toContain(`--config ${configPath.slice(root.length)}`);
    expect(builtinModules.length).toBeGreaterThan(0);
  });
});
