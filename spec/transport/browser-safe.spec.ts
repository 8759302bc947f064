import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// lib/transport ships in the browser entry: it must not reach for Node or the `ws` package.
describe('lib/transport is browser-safe', () => {
  const dir = join(__dirname, '..', '..', 'lib', 'transport');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it('has files to check', () => {
    expect(files).toEqual(expect.arrayContaining(['transport.ts', 'web-socket-transport.ts', 'memory-transport.ts']));
  });

  it.each(files)('%s imports no Node built-in or ws, and uses no Buffer or process', (file) => {
    // Comments may show Node usage in examples; only code counts.
    const code = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
    const imports = [
      ...code.matchAll(/^(?:import|export|\})[^'\n]*\bfrom\s+'([^']+)'|^import\s+'([^']+)'|\bimport\(\s*'([^']+)'|\brequire\(\s*'([^']+)'/gm),
    ].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]);
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) {
      expect(specifier).toMatch(/^(rxjs(\/.*)?|\.\.?\/.*)$/);
      expect(specifier).not.toMatch(/\/(node|broker|cli)\//);
    }
    expect(code).not.toMatch(/\bBuffer\b|\bprocess\./);
  });
});
