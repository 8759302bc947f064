import type { UnsubscribeProperties } from '../properties.js';

/** UNSUBSCRIBE (type 10, fixed header flags 0b0010). */
export interface UnsubscribePacket {
  readonly type: 'unsubscribe';
  readonly packetId: number;
  /** At least one. */
  readonly topicFilters: readonly string[];
  readonly properties?: UnsubscribeProperties;
}
