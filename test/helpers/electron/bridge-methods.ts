// The Bridge's methods read from its source (core/console/bridge.ts) with the TypeScript parser:
// the keys of `Operations` plus the stream opener `openTail`, an independent list to check the
// transports' handler tables against.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export function bridgeMethodsFromSource(): string[] {
  const file = fileURLToPath(new URL('../../../core/console/bridge.ts', import.meta.url));
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  let bridgeHasOpenTail = false;
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    if (node.name.text === 'Operations') {
      for (const m of node.members)
        if (m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name))) names.push(m.name.text);
    }
    if (node.name.text === 'Bridge') {
      bridgeHasOpenTail = node.members.some(
        (m) => m.name !== undefined && ts.isIdentifier(m.name) && m.name.text === 'openTail',
      );
    }
  });
  if (names.length === 0) throw new Error('no Operations interface found in bridge.ts');
  if (bridgeHasOpenTail) names.push('openTail');
  return names;
}
