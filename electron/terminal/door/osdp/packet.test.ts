// Known answers: the SIA OSDP 2.2 Annex E CRC and checksum examples (as libosdp's test-sc-sia-vectors.c carries
// them) and the packets libosdp's test-cp-phy.c builds and parses byte for byte.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checksum, crc16, encodePacket, MAX_PACKET_BYTES, PacketReader, parsePacket } from './packet.js';
import type { ReceivedPacket } from './packet.js';

const bytes = (...values: number[]): Buffer => Buffer.from(values);

/** The one packet the reader finds in `chunks`. */
function readOne(chunks: Buffer[], reader = new PacketReader()): ReceivedPacket {
  const events = chunks.flatMap((chunk) => reader.push(chunk, 0));
  assert.equal(events.length, 1, `one event, got ${JSON.stringify(events)}`);
  const [event] = events;
  assert.equal(event?.kind, 'packet');
  return (event as { packet: ReceivedPacket }).packet;
}

describe('CRC-16 and checksum (Annex E)', () => {
  it('CRC example 1: osdp_COMSET to 0x7F, 9600 baud → 0x386E', () => {
    assert.equal(crc16(bytes(0x53, 0x7f, 0x0d, 0x00, 0x04, 0x6e, 0x00, 0x80, 0x25, 0x00, 0x00)), 0x386e);
  });

  it('CRC example 2: osdp_ID → 0x66C0', () => {
    assert.equal(crc16(bytes(0x53, 0x00, 0x09, 0x00, 0x04, 0x61, 0x00)), 0x66c0);
  });

  it('checksum examples 1 and 2 → 0x0F and 0x44', () => {
    assert.equal(checksum(bytes(0x53, 0x7f, 0x0c, 0x00, 0x00, 0x6e, 0x00, 0x80, 0x25, 0x00, 0x00)), 0x0f);
    assert.equal(checksum(bytes(0x53, 0x00, 0x08, 0x00, 0x00, 0x61, 0x00)), 0x44);
  });
});

describe('encodePacket (libosdp test-cp-phy.c)', () => {
  it('osdp_POLL to address 0x65 with the mark, sequence 0, CRC', () => {
    const packet = encodePacket({ address: 0x65, isReply: false, sequence: 0, useCrc: true, mark: true, code: 0x60 });
    assert.deepEqual(packet, bytes(0xff, 0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90));
  });

  it('osdp_ID with its one data byte', () => {
    const packet = encodePacket({ address: 0x65, isReply: false, sequence: 0, useCrc: true, mark: false, code: 0x61, data: bytes(0x00) });
    assert.deepEqual(packet, bytes(0x53, 0x65, 0x09, 0x00, 0x04, 0x61, 0x00, 0xd9, 0x7a));
  });

  it('a reply from 0x65: osdp_ACK with a checksum, osdp_NAK(1) with a CRC', () => {
    assert.deepEqual(encodePacket({ address: 0x65, isReply: true, sequence: 1, useCrc: false, mark: false, code: 0x40 }), bytes(0x53, 0xe5, 0x07, 0x00, 0x01, 0x40, 0x80));
    assert.deepEqual(
      encodePacket({ address: 0x65, isReply: true, sequence: 1, useCrc: true, mark: false, code: 0x41, data: bytes(0x01) }),
      bytes(0x53, 0xe5, 0x09, 0x00, 0x05, 0x41, 0x01, 0x0e, 0x8f),
    );
  });

  it('a security block goes between the header and the code, and the MAC before the check bytes', () => {
    const packet = encodePacket({
      address: 1,
      isReply: true,
      sequence: 2,
      useCrc: true,
      mark: false,
      securityBlock: { type: 0x16, data: Buffer.alloc(0) },
      code: 0x40,
      mac: (input) => {
        // The MAC covers the header with the final length already in it.
        assert.deepEqual(input, bytes(0x53, 0x81, 0x0e, 0x00, 0x0e, 0x02, 0x16, 0x40));
        return Buffer.from('a1a2a3a4a5a6a7a8a9aaabacadaeafb0', 'hex');
      },
    });
    assert.equal(packet.length, 14);
    assert.deepEqual(packet.subarray(0, 12), bytes(0x53, 0x81, 0x0e, 0x00, 0x0e, 0x02, 0x16, 0x40, 0xa1, 0xa2, 0xa3, 0xa4));
    assert.equal(packet.readUInt16LE(12), crc16(packet.subarray(0, 12)));
  });

  it('refuses an address or sequence that does not fit', () => {
    assert.throws(() => encodePacket({ address: 128, isReply: true, sequence: 0, useCrc: true, mark: false, code: 0x40 }), /address must be 0–127/);
    assert.throws(() => encodePacket({ address: 1, isReply: true, sequence: 4, useCrc: true, mark: false, code: 0x40 }), /sequence must be 0–3/);
  });
});

describe('PacketReader', () => {
  it('parses libosdp fixtures: a checksum ACK and a CRC NAK(1), with the mark', () => {
    const ack = readOne([bytes(0xff, 0x53, 0xe5, 0x07, 0x00, 0x01, 0x40, 0x80)]);
    assert.equal(ack.address, 0x65);
    assert.equal(ack.isReply, true);
    assert.equal(ack.sequence, 1);
    assert.equal(ack.useCrc, false);
    assert.equal(ack.hasMark, true);
    assert.equal(ack.code, 0x40);
    assert.deepEqual(ack.data, Buffer.alloc(0));
    const nak = readOne([bytes(0x53, 0xe5, 0x09, 0x00, 0x05, 0x41, 0x01, 0x0e, 0x8f)]);
    assert.equal(nak.useCrc, true);
    assert.equal(nak.hasMark, false);
    assert.equal(nak.code, 0x41);
    assert.deepEqual(nak.data, bytes(0x01));
  });

  it('parses the SCS_12 osdp_CCRYPT fixture: security block, code and 32 data bytes, no MAC', () => {
    const data = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x10 + i));
    const packet = readOne([Buffer.concat([bytes(0xff, 0x53, 0xe5, 0x2a, 0x00, 0x09, 0x03, 0x12, 0x01, 0x76), data, bytes(0x19)])]);
    assert.deepEqual(packet.securityBlock, { type: 0x12, data: bytes(0x01) });
    assert.equal(packet.code, 0x76);
    assert.deepEqual(packet.data, data);
    assert.equal(packet.mac, undefined);
  });

  it('reassembles a packet split byte by byte, the mark in its own chunk', () => {
    const wire = bytes(0xff, 0x53, 0x65, 0x09, 0x00, 0x04, 0x61, 0x00, 0xd9, 0x7a);
    const packet = readOne([...wire].map((byte) => bytes(byte)));
    assert.equal(packet.code, 0x61);
    assert.equal(packet.hasMark, true);
  });

  it('skips noise, drops a frame with a bad CRC and finds the packet that starts inside it', () => {
    const reader = new PacketReader();
    const good = bytes(0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90);
    // A false SOM whose "length" covers the real packet: its CRC fails, the rescan finds the real one.
    const events = reader.push(Buffer.concat([bytes(0x00, 0x12, 0x53, 0x65, 0x0e, 0x00, 0x04, 0x60), good]), 0);
    assert.deepEqual(
      events.map((event) => event.kind),
      ['corrupt', 'packet'],
    );
    assert.equal(reader.skippedBytes >= 2, true);
    const corrupted = Buffer.from(good);
    corrupted[5] = 0x61;
    const [bad] = reader.push(corrupted, 1);
    assert.equal(bad?.kind, 'corrupt');
    assert.match((bad as { reason: string }).reason, /CRC/);
  });

  it('refuses a length outside the receive buffer and rescans', () => {
    const reader = new PacketReader();
    const tooLong = MAX_PACKET_BYTES + 1;
    const events = reader.push(Buffer.concat([bytes(0x53, 0x65, tooLong & 0xff, tooLong >> 8, 0x04), bytes(0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90)]), 0);
    assert.deepEqual(
      events.map((event) => event.kind),
      ['corrupt', 'packet'],
    );
  });

  it('drops a partial frame after a silence longer than the inter-byte timeout', () => {
    const reader = new PacketReader();
    assert.deepEqual(reader.push(bytes(0x53, 0x65, 0x08, 0x00), 0), []);
    // The rest of the first frame arrives too late: on its own it is noise; the next full packet parses.
    const events = reader.push(Buffer.concat([bytes(0x04, 0x60, 0x60, 0x90), bytes(0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90)]), 1000);
    assert.deepEqual(
      events.map((event) => event.kind),
      ['packet'],
    );
  });

  it('separates the MAC of SCS_15…18 packets from the data and keeps its input', () => {
    const wire = encodePacket({
      address: 3,
      isReply: false,
      sequence: 1,
      useCrc: true,
      mark: false,
      securityBlock: { type: 0x17, data: Buffer.alloc(0) },
      code: 0x6b,
      data: Buffer.alloc(16, 0xaa),
      mac: () => Buffer.alloc(16, 0x55),
    });
    const packet = parsePacket(wire, false);
    assert.notEqual(typeof packet, 'string');
    const parsed = packet as ReceivedPacket;
    assert.deepEqual(parsed.mac, Buffer.alloc(4, 0x55));
    assert.deepEqual(parsed.data, Buffer.alloc(16, 0xaa));
    assert.deepEqual(parsed.macInput, wire.subarray(0, wire.length - 6));
  });
});
