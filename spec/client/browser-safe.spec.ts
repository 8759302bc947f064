import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// lib/client and lib/session ship in the browser entry: no Node, no `ws`, no broker, and the
// session layer never reaches up into the client.
describe.each([
  ['client', /\/(node|broker|cli)\//],
  ['session', /\/(node|broker|cli|client)\//],
])('lib/%s is browser-safe and layered', (layer, forbidden) => {
  const dir = join(__dirname, '..', '..', 'lib', layer);
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(3);
  });

  it.each(files)('%s imports only rxjs and lower layers, and uses no Buffer or process', (file) => {
    const code = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
    const imports = [
      ...code.matchAll(/^(?:import|export|\})[^'\n]*\bfrom\s+'([^']+)'|^import\s+'([^']+)'|\bimport\(\s*'([^']+)'|\brequire\(\s*'([^']+)'/gm),
    ].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]);
    for (const specifier of imports) {
      expect(specifier).toMatch(/^(rxjs(\/.*)?|\.\.?\/.*)$/);
      expect(specifier).not.toMatch(forbidden);
    }
    expect(code).not.toMatch(/\bBuffer\b|\bprocess\./);
  });
});
