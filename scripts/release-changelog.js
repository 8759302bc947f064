#!/usr/bin/env node
// Run by `npm version <patch|minor|major|x.y.z>` (the "version" script, after package.json got its
// new version and before npm commits and tags): turns CHANGELOG.md's "## [Unreleased]" section into
// "## [<version>] - <today>" and opens a new, empty Unreleased section above it, so package.json and
// the CHANGELOG name the same release. Usage: node scripts/release-changelog.js [version] [file]
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

// npm runs the script in the package's folder, so that is where package.json and the CHANGELOG are.
const version = process.argv[2] ?? process.env.npm_package_version ?? require(path.resolve('package.json')).version;
const file = path.resolve(process.argv[3] ?? 'CHANGELOG.md');
const fail = (message) => {
  process.stderr.write(`release-changelog: ${message}\n`);
  process.exit(1);
};

if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) fail(`'${version}' is not a version`);
const text = readFileSync(file, 'utf8');
if (text.includes(`\n## [${version}]`)) fail(`${path.basename(file)} already has a section for ${version}`);
const heading = /^## \[Unreleased\][^\n]*\n/m;
const match = heading.exec(text);
if (match === null) fail(`${path.basename(file)} has no "## [Unreleased]" section`);
const rest = text.slice(match.index + match[0].length);
const next = rest.search(/^## \[/m);
const body = (next < 0 ? rest : rest.slice(0, next)).trim();
if (body === '') fail(`the Unreleased section of ${path.basename(file)} is empty: nothing to release`);
const today = new Date().toISOString().slice(0, 10);
writeFileSync(file, `${text.slice(0, match.index)}## [Unreleased]\n\n## [${version}] - ${today}\n${rest}`);
process.stdout.write(`${path.basename(file)}: Unreleased is now ${version} (${today})\n`);
