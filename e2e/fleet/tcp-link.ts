// A terminal's network link to the broker, as a TCP relay on 127.0.0.1 the suite can cut and restore: the door
// loses the broker the way it does when a cable is pulled (connections reset, new ones refused), while the
// broker and the hub run on for the other doors.
import { createServer, type Server, type Socket } from 'node:net';

/** A relay from a local port to `targetPort`. */
export class TcpLink {
  private readonly sockets = new Set<Socket>();
  private cut = false;

  private constructor(
    private readonly server: Server,
    /** The port doors connect to. */
    readonly port: number,
  ) {}

  /** Starts relaying 127.0.0.1:<free port> → 127.0.0.1:`targetPort`. */
  static async start(targetPort: number): Promise<TcpLink> {
    const holder: { link?: TcpLink } = {};
    const server = createServer((client) => holder.link?.accept(client, targetPort));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the relay has no port');
    holder.link = new TcpLink(server, address.port);
    return holder.link;
  }

  /** Whether the link is cut. */
  get isCut(): boolean {
    return this.cut;
  }

  /** Resets every open connection and refuses new ones until `restore`. */
  sever(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  /** Lets connections through again. */
  restore(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.sever();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetPort: number): void {
    if (this.cut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = new (client.constructor as typeof Socket)();
    const pair = [client, upstream];
    for (const socket of pair) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => {
        this.sockets.delete(socket);
        for (const other of pair) if (other !== socket) other.destroy();
      });
    }
    upstream.connect(targetPort, '127.0.0.1');
    client.pipe(upstream).pipe(client);
  }
}
