/** PINGREQ (type 12). */
export interface PingreqPacket {
  readonly type: 'pingreq';
}

/** PINGRESP (type 13). */
export interface PingrespPacket {
  readonly type: 'pingresp';
}
