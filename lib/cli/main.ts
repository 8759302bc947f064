#!/usr/bin/env node
/**
 * The `rxmqtt` executable: `rxmqtt broker | pub | sub | demo`. See docs/cli.md.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brokerCommand } from './broker-command.js';
import type { CliDeps } from './cli-deps.js';
import { processIo } from './cli-io.js';
import { demoCommand } from './demo-command.js';
import { pubCommand } from './pub-command.js';
import { type CliCommand, runCli } from './run-cli.js';
import { subCommand } from './sub-command.js';

const commands: readonly CliCommand[] = [
  { name: 'broker', summary: 'run the embedded MQTT broker until Ctrl-C', run: brokerCommand },
  { name: 'pub', summary: 'publish a message (or one per line of stdin), like mosquitto_pub', run: pubCommand },
  { name: 'sub', summary: 'subscribe and print messages, one per line, like mosquitto_sub', run: subCommand },
  { name: 'demo', summary: 'a broker, simulated sensors and a reactive monitor in one process', run: demoCommand },
];

// Loaded on first use, so `--help` and argument errors answer without loading the client or broker.
const deps: CliDeps = {
  connectAsync: async ({ trace, ...options }) => {
    const node = await import('../node/connect.js');
    if (trace === undefined) return node.connectAsync(options);
    const { traceTransport } = await import('./trace-transport.js');
    return node.connectAsync({ ...options, transport: traceTransport(node.nodeTransportFor(options), options.protocolVersion, trace) });
  },
  startBroker: async (options) => (await import('../broker/index.js')).startBroker(options),
};

function packageVersion(): string {
  try {
    // dist/<format>/cli/main.js -> package.json three folders up.
    const file = join(dirname(realpathSync(process.argv[1]!)), '..', '..', '..', 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

void runCli(process.argv.slice(2), processIo(), deps, commands, packageVersion()).then((code) => {
  process.exitCode = code;
  // Anything still open (a socket the peer does not close) must not keep a finished command alive.
  setTimeout(() => process.exit(code), 1000).unref();
});
