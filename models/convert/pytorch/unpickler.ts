/**
 * A restricted unpickler for PyTorch checkpoints: only the opcodes `torch.save` (pickle protocol 2) emits for
 * state dicts, and no global is ever imported or called. A global is a name the caller's policy either maps to
 * a value or a handler written here in TypeScript, or refuses; anything else in the stream is an error naming
 * the opcode and its byte offset. This is what makes reading a checkpoint safe: Python's own unpickler would
 * run whatever callable the file names.
 */

/** Thrown for an opcode or global outside the supported set, or a malformed stream. */
export class UnpicklingError extends Error {
  override readonly name = 'UnpicklingError';
}

/** A Python tuple (a JS array stands for a list). */
export class PickleTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** A Python dict or OrderedDict, insertion-ordered; keys are strings or integers. */
export class PickleDict {
  readonly entries = new Map<string | number, unknown>();
  /** The instance `__dict__` a BUILD set (an OrderedDict state dict keeps `_metadata` there). */
  attributes: PickleDict | undefined;
  constructor(readonly className: 'dict' | 'collections.OrderedDict' = 'dict') {}
}

/** What a global name stands for: a plain value (a dtype, a storage type) or a function REDUCE may call. */
export type GlobalBinding = { readonly kind: 'value'; readonly value: unknown } | { readonly kind: 'callable'; readonly call: (args: readonly unknown[]) => unknown };

/** A callable global the policy allowed, as it sits on the stack until REDUCE calls it. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly qualifiedName: string,
    readonly binding: GlobalBinding,
  ) {}

  get fullName(): string {
    return `${this.module}.${this.qualifiedName}`;
  }
}

/** What the caller allows. */
export interface UnpicklePolicy {
  /** Bindings by "module name" as GLOBAL writes it (e.g. "torch._utils _rebuild_tensor_v2"). */
  readonly globals: ReadonlyMap<string, GlobalBinding>;
  /** Resolves a persistent id (BINPERSID); absent: persistent ids are refused. */
  readonly persistentLoad?: (pid: unknown) => unknown;
}

/** The result of unpickling: the object and the opcodes the stream used (for tests and error reports). */
export interface UnpickleResult {
  readonly value: unknown;
  readonly opcodes: ReadonlySet<string>;
}

/** Opcode byte → name, for the opcodes this unpickler executes. */
export const SUPPORTED_OPCODES: ReadonlyMap<number, string> = new Map([
  [0x80, 'PROTO'],
  [0x2e, 'STOP'],
  [0x28, 'MARK'],
  [0x63, 'GLOBAL'],
  [0x71, 'BINPUT'],
  [0x72, 'LONG_BINPUT'],
  [0x68, 'BINGET'],
  [0x6a, 'LONG_BINGET'],
  [0x29, 'EMPTY_TUPLE'],
  [0x74, 'TUPLE'],
  [0x85, 'TUPLE1'],
  [0x86, 'TUPLE2'],
  [0x87, 'TUPLE3'],
  [0x5d, 'EMPTY_LIST'],
  [0x61, 'APPEND'],
  [0x65, 'APPENDS'],
  [0x7d, 'EMPTY_DICT'],
  [0x73, 'SETITEM'],
  [0x75, 'SETITEMS'],
  [0x4a, 'BININT'],
  [0x4b, 'BININT1'],
  [0x4d, 'BININT2'],
  [0x8a, 'LONG1'],
  [0x47, 'BINFLOAT'],
  [0x58, 'BINUNICODE'],
  [0x4e, 'NONE'],
  [0x88, 'NEWTRUE'],
  [0x89, 'NEWFALSE'],
  [0x52, 'REDUCE'],
  [0x62, 'BUILD'],
  [0x51, 'BINPERSID'],
]);

/** Names of a few opcodes this unpickler refuses, so the error says which one the file used. */
const KNOWN_UNSUPPORTED: ReadonlyMap<number, string> = new Map([
  [0x69, 'INST'],
  [0x6f, 'OBJ'],
  [0x81, 'NEWOBJ'],
  [0x92, 'NEWOBJ_EX'],
  [0x93, 'STACK_GLOBAL'],
  [0x50, 'PERSID'],
  [0x8c, 'SHORT_BINUNICODE'],
  [0x8d, 'BINUNICODE8'],
  [0x95, 'FRAME'],
  [0x94, 'MEMOIZE'],
  [0x43, 'SHORT_BINBYTES'],
  [0x42, 'BINBYTES'],
  [0x55, 'SHORT_BINSTRING'],
  [0x54, 'BINSTRING'],
  [0x8b, 'LONG4'],
  [0x82, 'EXT1'],
  [0x83, 'EXT2'],
  [0x84, 'EXT4'],
  [0x49, 'INT'],
  [0x4c, 'LONG'],
  [0x46, 'FLOAT'],
  [0x53, 'STRING'],
  [0x56, 'UNICODE'],
  [0x70, 'PUT'],
  [0x67, 'GET'],
  [0x6c, 'LIST'],
  [0x64, 'DICT'],
  [0x30, 'POP'],
  [0x31, 'DUP'],
  [0x32, 'POP_MARK'],
]);

const MARK = Symbol('mark');

function dictKey(key: unknown, offset: number): string | number {
  if (typeof key === 'string' || typeof key === 'number') return key;
  throw new UnpicklingError(`dict key of unsupported type at byte ${offset}`);
}

/** Unpickles `bytes` under `policy`. Deterministic and side-effect free apart from the policy's own handlers. */
export function unpickle(bytes: Uint8Array, policy: UnpicklePolicy): UnpickleResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const opcodes = new Set<string>();
  let pos = 0;

  const need = (count: number, what: string): void => {
    if (pos + count > bytes.length) throw new UnpicklingError(`pickle ends inside ${what} at byte ${pos}`);
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw new UnpicklingError(`stack underflow at byte ${pos}`);
    const value = stack.pop();
    if (value === MARK) throw new UnpicklingError(`unexpected MARK at byte ${pos}`);
    return value;
  };
  const top = (): unknown => {
    const value = stack[stack.length - 1];
    if (stack.length === 0 || value === MARK) throw new UnpicklingError(`empty stack at byte ${pos}`);
    return value;
  };
  const popToMark = (): unknown[] => {
    const index = stack.lastIndexOf(MARK);
    if (index < 0) throw new UnpicklingError(`no MARK before byte ${pos}`);
    const items = stack.splice(index + 1);
    stack.pop();
    return items;
  };
  const readLine = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new UnpicklingError(`unterminated line at byte ${pos}`);
    const line = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return line;
  };
  const memoGet = (index: number): unknown => {
    if (!memo.has(index)) throw new UnpicklingError(`memo entry ${index} read before it was written (byte ${pos})`);
    return memo.get(index);
  };
  const setItems = (target: unknown, items: readonly unknown[], at: number): void => {
    if (!(target instanceof PickleDict)) throw new UnpicklingError(`SETITEM(S) on a non-dict at byte ${at}`);
    if (items.length % 2 !== 0) throw new UnpicklingError(`odd number of items for SETITEMS at byte ${at}`);
    for (let i = 0; i < items.length; i += 2) target.entries.set(dictKey(items[i], at), items[i + 1]);
  };
  const append = (target: unknown, items: readonly unknown[], at: number): void => {
    if (!Array.isArray(target)) throw new UnpicklingError(`APPEND(S) on a non-list at byte ${at}`);
    target.push(...items);
  };

  for (;;) {
    const at = pos;
    need(1, 'an opcode');
    const code = bytes[pos++] as number;
    const opName = SUPPORTED_OPCODES.get(code);
    if (opName === undefined) {
      const known = KNOWN_UNSUPPORTED.get(code);
      const label = known ?? `0x${code.toString(16).padStart(2, '0')}`;
      throw new UnpicklingError(`unsupported pickle opcode ${label} at byte ${at}: not something torch.save writes for a state dict`);
    }
    opcodes.add(opName);
    switch (opName) {
      case 'PROTO': {
        need(1, 'PROTO');
        const protocol = bytes[pos++] as number;
        if (protocol > 2) throw new UnpicklingError(`pickle protocol ${protocol}; torch.save writes protocol 2 (only that is read)`);
        break;
      }
      case 'STOP':
        if (stack.length !== 1) throw new UnpicklingError(`STOP with ${stack.length} values on the stack`);
        return { value: pop(), opcodes };
      case 'MARK':
        stack.push(MARK);
        break;
      case 'GLOBAL': {
        const module = readLine();
        const name = readLine();
        const binding = policy.globals.get(`${module} ${name}`);
        if (!binding) throw new UnpicklingError(`global ${module}.${name} (byte ${at}) is not allowed: the checkpoint names code this reader will not run`);
        // A value binding (a dtype, a storage type) stands for itself; only callables stay wrapped for REDUCE.
        stack.push(binding.kind === 'value' ? binding.value : new PickleGlobal(module, name, binding));
        break;
      }
      case 'BINPUT':
        need(1, 'BINPUT');
        memo.set(bytes[pos++] as number, top());
        break;
      case 'LONG_BINPUT':
        need(4, 'LONG_BINPUT');
        memo.set(view.getUint32(pos, true), top());
        pos += 4;
        break;
      case 'BINGET':
        need(1, 'BINGET');
        stack.push(memoGet(bytes[pos++] as number));
        break;
      case 'LONG_BINGET':
        need(4, 'LONG_BINGET');
        stack.push(memoGet(view.getUint32(pos, true)));
        pos += 4;
        break;
      case 'EMPTY_TUPLE':
        stack.push(new PickleTuple([]));
        break;
      case 'TUPLE':
        stack.push(new PickleTuple(popToMark()));
        break;
      case 'TUPLE1':
        stack.push(new PickleTuple([pop()]));
        break;
      case 'TUPLE2': {
        const b = pop();
        const a = pop();
        stack.push(new PickleTuple([a, b]));
        break;
      }
      case 'TUPLE3': {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PickleTuple([a, b, c]));
        break;
      }
      case 'EMPTY_LIST':
        stack.push([]);
        break;
      case 'APPEND': {
        const item = pop();
        append(top(), [item], at);
        break;
      }
      case 'APPENDS': {
        const items = popToMark();
        append(top(), items, at);
        break;
      }
      case 'EMPTY_DICT':
        stack.push(new PickleDict());
        break;
      case 'SETITEM': {
        const value = pop();
        const key = pop();
        setItems(top(), [key, value], at);
        break;
      }
      case 'SETITEMS': {
        const items = popToMark();
        setItems(top(), items, at);
        break;
      }
      case 'BININT':
        need(4, 'BININT');
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 'BININT1':
        need(1, 'BININT1');
        stack.push(bytes[pos++] as number);
        break;
      case 'BININT2':
        need(2, 'BININT2');
        stack.push(view.getUint16(pos, true));
        pos += 2;
        break;
      case 'LONG1': {
        need(1, 'LONG1');
        const length = bytes[pos++] as number;
        need(length, 'LONG1');
        let value = 0n;
        for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[pos + i] as number);
        if (length > 0 && ((bytes[pos + length - 1] as number) & 0x80) !== 0) value -= 1n << BigInt(8 * length);
        pos += length;
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new UnpicklingError(`integer ${value} at byte ${at} is beyond what this reader keeps exactly`);
        }
        stack.push(Number(value));
        break;
      }
      case 'BINFLOAT':
        need(8, 'BINFLOAT');
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 'BINUNICODE': {
        need(4, 'BINUNICODE');
        const length = view.getUint32(pos, true);
        pos += 4;
        need(length, 'BINUNICODE');
        stack.push(decoder.decode(bytes.subarray(pos, pos + length)));
        pos += length;
        break;
      }
      case 'NONE':
        stack.push(null);
        break;
      case 'NEWTRUE':
        stack.push(true);
        break;
      case 'NEWFALSE':
        stack.push(false);
        break;
      case 'REDUCE': {
        const args = pop();
        const callable = pop();
        if (!(callable instanceof PickleGlobal) || callable.binding.kind !== 'callable') {
          throw new UnpicklingError(`REDUCE at byte ${at} calls something that is not an allowed function`);
        }
        if (!(args instanceof PickleTuple)) throw new UnpicklingError(`REDUCE at byte ${at}: arguments are not a tuple`);
        try {
          stack.push(callable.binding.call(args.items));
        } catch (error) {
          if (error instanceof UnpicklingError) throw error;
          throw new UnpicklingError(`${callable.fullName} at byte ${at}: ${(error as Error).message}`, { cause: error });
        }
        break;
      }
      case 'BUILD': {
        const state = pop();
        const target = top();
        // Only the one BUILD torch.save emits: an OrderedDict state dict receiving its `_metadata` attribute.
        if (!(target instanceof PickleDict) || !(state instanceof PickleDict)) {
          throw new UnpicklingError(`BUILD at byte ${at} sets state on something other than a dict: not a state dict`);
        }
        target.attributes = state;
        break;
      }
      case 'BINPERSID': {
        const pid = pop();
        if (!policy.persistentLoad) throw new UnpicklingError(`persistent id at byte ${at}, but none are allowed here`);
        stack.push(policy.persistentLoad(pid));
        break;
      }
      default:
        throw new UnpicklingError(`opcode ${opName} listed but not handled`);
    }
  }
}
