import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  camelCase,
  kebabCase,
  parseRange,
  stripComments,
  versionCond,
} from '../../../core/protocol/generator/schema.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('generator helpers', () => {
  it('camelCase lowercases the leading capital run', () => {
    expect(camelCase('TopicData')).toBe('topicData');
    expect(camelCase('ThrottleTimeMs')).toBe('throttleTimeMs');
    expect(camelCase('TopicId')).toBe('topicId');
    expect(camelCase('SASLAuthBytes')).toBe('saslAuthBytes');
    expect(camelCase('V3AndBelowTopics')).toBe('v3AndBelowTopics');
    expect(camelCase('ID')).toBe('id');
  });

  it('kebabCase module names', () => {
    expect(kebabCase('ListOffsets')).toBe('list-offsets');
    expect(kebabCase('DescribeUserScramCredentials')).toBe('describe-user-scram-credentials');
    expect(kebabCase('KRaftVersionRecord')).toBe('k-raft-version-record');
  });

  it('strips // comments but not // inside strings', () => {
    const text = '// licence\n{ "a": "http://x", // trailing\n "b": 1 }';
    expect(JSON.parse(stripComments(text))).toEqual({ a: 'http://x', b: 1 });
  });

  it('version ranges and conditions', () => {
    expect(parseRange('3+')).toEqual({ lo: 3, hi: Infinity });
    expect(parseRange('0-7')).toEqual({ lo: 0, hi: 7 });
    expect(versionCond(parseRange('3+'), { lo: 0, hi: 11 })).toBe('version >= 3');
    expect(versionCond(parseRange('0+'), { lo: 0, hi: 11 })).toBe('true');
    expect(versionCond(parseRange('8-10'), { lo: 0, hi: 12 })).toBe('version >= 8 && version <= 10');
    expect(versionCond(parseRange('none'), { lo: 0, hi: 12 })).toBe('false');
    expect(versionCond(parseRange('0-4'), { lo: 5, hi: 9 })).toBe('false');
  });
});

describe('generated output', () => {
  it('is up to date with the generator and the schemas', () => {
    const out = mkdtempSync(join(tmpdir(), 'samsa-gen-'));
    try {
      execFileSync(process.execPath, [join(repoRoot, 'core/protocol/generator/generate.ts'), '--out', out], {
        stdio: 'pipe',
      });
      const committed = readdirSync(join(repoRoot, 'core/protocol/messages')).sort();
      const fresh = readdirSync(out).sort();
      expect(fresh).toEqual(committed);
      for (const f of fresh) {
        const same =
          readFileSync(join(out, f), 'utf8') === readFileSync(join(repoRoot, 'core/protocol/messages', f), 'utf8');
        expect(same, `${f} differs: run npm run gen:protocol`).toBe(true);
      }
      expect(readFileSync(join(out, 'produce.ts'), 'utf8')).toMatch(
        /^\/\/ Code generated .* DO NOT EDIT\..*@generated/s,
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('coordinator record codecs (core/protocol/records) are up to date', () => {
    const out = mkdtempSync(join(tmpdir(), 'samsa-gen-'));
    try {
      execFileSync(
        process.execPath,
        [
          join(repoRoot, 'core/protocol/generator/generate.ts'),
          '--out',
          join(out, 'messages'),
          '--records-out',
          join(out, 'records'),
        ],
        { stdio: 'pipe' },
      );
      const committed = readdirSync(join(repoRoot, 'core/protocol/records')).sort();
      const fresh = readdirSync(join(out, 'records')).sort();
      expect(fresh).toEqual(committed);
      expect(fresh).toContain('offset-commit-value.ts');
      for (const f of fresh) {
        const same =
          readFileSync(join(out, 'records', f), 'utf8') ===
          readFileSync(join(repoRoot, 'core/protocol/records', f), 'utf8');
        expect(same, `${f} differs: run npm run gen:protocol`).toBe(true);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
