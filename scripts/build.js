#!/usr/bin/env node
// Builds dist/cjs (CommonJS), dist/esm (ES modules) and dist/types (declarations) from lib/.
'use strict';
const { execFileSync } = require('node:child_process');
const { rmSync, writeFileSync, existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc');
const dist = path.join(root, 'dist');
if (!existsSync(path.join(root, 'lib', 'index.ts'))) process.exit(0);

rmSync(dist, { recursive: true, force: true });
const run = (...args) => execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', ...args], { cwd: root, stdio: 'inherit' });
run('--module', 'commonjs', '--moduleResolution', 'node10', '--outDir', 'dist/cjs');
run('--module', 'es2022', '--moduleResolution', 'bundler', '--outDir', 'dist/esm');
run('--declaration', '--emitDeclarationOnly', '--sourceMap', 'false', '--outDir', 'dist/types');
writeFileSync(path.join(dist, 'cjs', 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
writeFileSync(path.join(dist, 'esm', 'package.json'), JSON.stringify({ type: 'module' }) + '\n');
