#!/usr/bin/env node
// The `samsa` command. Needs Node >= 24 (it runs the TypeScript sources directly).
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `samsa: Node.js 24 or newer is required (this is ${process.version}); run it through npm/npx in the project, which brings Node 24.`,
  );
  process.exit(1);
}
// Cache compiled (and type-stripped) modules on disk: a warm start skips
// TypeScript stripping and V8 parsing, roughly halving start time and memory.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
