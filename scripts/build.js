#!/usr/bin/env node
// Builds dist/cjs (CommonJS) and dist/esm (ES modules) from lib/, each with its own declarations
// (.d.ts) and source maps, so that TypeScript reads the ESM types as ESM and the CJS types as CJS.
// The maps point to lib/, which the package ships.
'use strict';
const { execFileSync } = require('node:child_process');
const { rmSync, writeFileSync, existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
// Installed from the registry there is no lib/ to build from (and dist/ is already there).
if (!existsSync(path.join(root, 'lib', 'index.ts'))) process.exit(0);
// `npm start` builds only when there is no build yet (`--if-missing`); `npm run build` always does.
if (process.argv.includes('--if-missing') && existsSync(path.join(dist, 'cjs', 'cli', 'main.js'))) process.exit(0);
const tsc = require.resolve('typescript/bin/tsc');

rmSync(dist, { recursive: true, force: true });
const run = (...args) => execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', ...args], { cwd: root, stdio: 'inherit' });
run('--module', 'commonjs', '--moduleResolution', 'node10', '--outDir', 'dist/cjs');
run('--module', 'es2022', '--moduleResolution', 'bundler', '--outDir', 'dist/esm');
// Bundlers read `sideEffects` from the nearest package.json, which for dist/ files is one of these:
// without it, an app that imports `connect` alone would bundle every module the entry re-exports.
writeFileSync(path.join(dist, 'cjs', 'package.json'), JSON.stringify({ type: 'commonjs', sideEffects: false }) + '\n');
writeFileSync(path.join(dist, 'esm', 'package.json'), JSON.stringify({ type: 'module', sideEffects: false }) + '\n');
