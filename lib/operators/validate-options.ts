import { InvalidArgumentError } from '../errors.js';

/**
 * Checks a protocol version given by the user (4 = MQTT 3.1.1, 5 = MQTT 5.0).
 * Throws InvalidArgumentError naming `argument` when it is anything else.
 */
export function assertProtocolVersion(value: unknown, argument: string, optional: boolean): void {
  if (optional && value === undefined) return;
  if (value !== 4 && value !== 5) {
    throw new InvalidArgumentError(argument, `must be 4 (MQTT 3.1.1) or 5 (MQTT 5.0)${optional ? ' or undefined' : ''}, got ${String(value)}`);
  }
}

/**
 * Checks an optional maximum packet size: an integer of at least 2 (the smallest packet). Values
 * above what MQTT can frame (268 435 460) are allowed and mean "no limit beyond the protocol's".
 * Throws InvalidArgumentError naming `argument` otherwise.
 */
export function assertMaximumPacketSize(value: unknown, argument: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 2) {
    throw new InvalidArgumentError(argument, `must be an integer of at least 2, got ${String(value)}`);
  }
}

/** Checks that `options` is an object (or, when `optional`, undefined). */
export function assertOptionsObject(value: unknown, argument: string, optional: boolean): void {
  if (optional && value === undefined) return;
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError(argument, `must be an object${optional ? ' or undefined' : ''}, got ${value === null ? 'null' : typeof value}`);
  }
}
