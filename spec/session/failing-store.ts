import { StoreError } from '../../lib/errors.js';
import { MemoryInFlightStore } from '../../lib/session/memory-in-flight-store.js';
import type { OutboundEntry } from '../../lib/session/in-flight-store.js';

type Failing = 'putOutbound' | 'putOutboundPubrel' | 'deleteOutbound' | 'addInbound' | 'deleteInbound' | 'clear';

/**
 * A MemoryInFlightStore whose writes can be made to throw a StoreError, as FileInFlightStore does
 * when its file cannot be written (STORE_IO) or was closed (STORE_CLOSED). A failing write changes
 * nothing, like FileInFlightStore (it updates memory only after the record is written).
 */
export class FailingStore extends MemoryInFlightStore {
  readonly failing = new Set<Failing>();
  readonly thrown: StoreError[] = [];

  constructor(private readonly code: 'STORE_IO' | 'STORE_CLOSED' = 'STORE_IO') {
    super();
  }

  private check(what: Failing): void {
    if (!this.failing.has(what)) return;
    const error = new StoreError(this.code, `test store: ${what} refused`);
    this.thrown.push(error);
    throw error;
  }

  override putOutbound(entry: OutboundEntry): void {
    this.check(entry.state === 'pubrel' ? 'putOutboundPubrel' : 'putOutbound');
    super.putOutbound(entry);
  }

  override deleteOutbound(packetId: number): boolean {
    if (this.getOutbound(packetId) !== undefined) this.check('deleteOutbound');
    return super.deleteOutbound(packetId);
  }

  override addInbound(packetId: number): boolean {
    this.check('addInbound');
    return super.addInbound(packetId);
  }

  override deleteInbound(packetId: number): boolean {
    this.check('deleteInbound');
    return super.deleteInbound(packetId);
  }

  override clear(): void {
    this.check('clear');
    super.clear();
  }
}
