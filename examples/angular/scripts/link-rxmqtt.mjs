// Installs this checkout's built rxmqtt (../../dist, `npm run build` at the root) into
// node_modules/rxmqtt as a plain copy: package.json and dist/ only. A symlink (`file:../..`) would
// let rxmqtt's imports of @angular/core and rxjs resolve to the root's node_modules, and a second
// copy of Angular breaks dependency injection. An app of your own simply runs `npm install rxmqtt`.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const example = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(example, '..', '..');
if (!existsSync(join(root, 'dist', 'esm', 'angular', 'index.js'))) {
  console.error('link-rxmqtt: build rxmqtt first: npm run build (at the repository root)');
  process.exit(1);
}
const target = join(example, 'node_modules', 'rxmqtt');
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
cpSync(join(root, 'package.json'), join(target, 'package.json'));
cpSync(join(root, 'dist'), join(target, 'dist'), { recursive: true });
