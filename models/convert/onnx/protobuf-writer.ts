/**
 * A minimal protocol-buffers encoder: just what serialising an ONNX ModelProto needs.
 * Output is deterministic (fields are written in the order the caller writes them).
 */
export class ProtobufWriter {
  private chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(16);

  /** Encoded bytes written so far, as one array. */
  finish(): Uint8Array {
    const length = this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  /** Varint field (wire type 0): int32, int64, enum, bool. Negative values use 10-byte two's complement. */
  varint(field: number, value: number | bigint): this {
    this.writeTag(field, 0);
    this.writeVarint(BigInt.asUintN(64, BigInt(value)));
    return this;
  }

  /** 32-bit float field (wire type 5). */
  float(field: number, value: number): this {
    this.writeTag(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.chunks.push(bytes);
    return this;
  }

  /** Length-delimited field (wire type 2) holding raw bytes. */
  bytes(field: number, value: Uint8Array): this {
    this.writeTag(field, 2);
    this.writeVarint(BigInt(value.length));
    this.chunks.push(value);
    return this;
  }

  /** UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** Embedded message field, written by `build` into a nested writer. */
  message(field: number, build: (writer: ProtobufWriter) => void): this {
    const nested = new ProtobufWriter();
    build(nested);
    return this.bytes(field, nested.finish());
  }

  private writeTag(field: number, wireType: number): void {
    this.writeVarint(BigInt((field << 3) | wireType));
  }

  private writeVarint(value: bigint): void {
    let length = 0;
    let rest = value;
    do {
      let byte = Number(rest & 0x7fn);
      rest >>= 7n;
      if (rest !== 0n) byte |= 0x80;
      this.scratch[length++] = byte;
    } while (rest !== 0n);
    this.chunks.push(this.scratch.slice(0, length));
  }
}
