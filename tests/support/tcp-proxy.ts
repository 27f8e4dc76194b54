/**
 * A TCP proxy in front of the PostgreSQL server, for tests that cut one connection without closing it: a network
 * partition as the application sees it (its socket stays open, nothing arrives, nothing it sends gets through).
 * The server sees each proxied connection coming from the proxy's upstream port (pg_stat_activity.client_port),
 * which is how a test names the one to cut.
 */
import net from 'node:net';

export type TcpProxy = {
  /** The database URL through the proxy. */
  url: string;
  /** The local ports of the proxy's open connections to the server (pg_stat_activity.client_port). */
  upstreamPorts(): number[];
  /**
   * Cuts the connection whose upstream port this is, as a partition would: everything is dropped both ways, and
   * neither side hears the other close — both sockets stay open until each side gives up on its own.
   */
  blackhole(upstreamPort: number): void;
  /** Whether the application closed its side of that connection (or nothing by that port is open). */
  appClosed(upstreamPort: number): boolean;
  /** While true, new connections are accepted and closed at once (the server unreachable for new connections). */
  refuseNew: boolean;
  close(): Promise<void>;
};

type Link = { holed: boolean; appClosed: boolean };

export async function startTcpProxy(databaseUrl: string): Promise<TcpProxy> {
  const target = new URL(databaseUrl);
  const links = new Map<number, Link>();
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const proxy: TcpProxy = {
    url: '',
    upstreamPorts: () => [...links.keys()],
    blackhole(port) {
      const link = links.get(port);
      if (!link) throw new Error(`no proxied connection from port ${port}`);
      link.holed = true;
    },
    appClosed: (port) => links.get(port)?.appClosed ?? true,
    refuseNew: false,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  // Half-open allowed on both sides: a FIN is passed on, or (cut) swallowed, by the proxy rather than by Node.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    if (proxy.refuseNew) return void client.destroy();
    client.pause();
    const upstream = net.connect({ port: Number(target.port || 5432), host: target.hostname, allowHalfOpen: true });
    track(upstream);
    const link: Link = { holed: false, appClosed: false };
    let port = -1;
    upstream.on('connect', () => {
      port = upstream.localPort!;
      links.set(port, link);
      client.resume();
    });
    client.on('data', (d) => {
      if (!link.holed) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!link.holed) client.write(d);
    });
    client.on('end', () => {
      link.appClosed = true;
      if (!link.holed) upstream.end();
    });
    upstream.on('end', () => {
      if (!link.holed) client.end();
    });
    client.on('close', () => {
      link.appClosed = true;
      if (!link.holed) upstream.destroy();
    });
    upstream.on('close', () => {
      links.delete(port);
      if (!link.holed) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the proxy listens on no TCP port');
  url.port = String(address.port);
  proxy.url = url.toString();
  return proxy;
}
