'use strict';
/**
 * The benchmarks' HTTP/1.1 client (plain CommonJS: the load generators run in worker threads without a TypeScript
 * loader). Keep-alive connections, at most one request in flight on each, answers framed by Content-Length or chunked
 * transfer coding. Why not node:http's Agent (or undici): the load generator shares the two cores with the app and
 * PostgreSQL, and node:http spent 0.15–0.27 ms of CPU per page of the inbox — a fifth of what the app itself spends —
 * where this spends about a third of that (bench/README.md §2, docs/decisions/0031). It reads only what the benchmarks
 * need: the status, the headers (names in lower case, `set-cookie` as a list) and the body.
 */
const net = require('node:net');

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
/** A header block larger than this is not an answer of ours: the connection is dropped with an error. */
const MAX_HEAD = 64 * 1024;

class Connection {
  /** @param {string} host @param {number} port */
  constructor(host, port) {
    this.host = host;
    this.port = port;
    this.socket = null;
    /** @type {null | { resolve: Function, reject: Function, method: string, res: any }} */
    this.waiting = null;
    this.buf = Buffer.alloc(0);
  }

  open() {
    const socket = net.connect(this.port, this.host);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      try {
        this.read();
      } catch (err) {
        this.fail(socket, err);
      }
    });
    socket.on('end', () => this.ended(socket));
    socket.on('error', (err) => this.fail(socket, err));
    socket.on('close', () => this.fail(socket, new Error('connection closed')));
    this.socket = socket;
    this.buf = Buffer.alloc(0);
  }

  /** The answer's status, headers and body. */
  request(method, path, headers, body) {
    if (this.waiting) return Promise.reject(new Error('a request is already in flight on this connection'));
    if (!this.socket) this.open();
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\n`;
    for (const name of Object.keys(headers)) if (headers[name] !== undefined) head += `${name}: ${headers[name]}\r\n`;
    if (body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
    head += '\r\n';
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject, method, res: null };
      this.socket.write(body === undefined ? head : head + body);
    });
  }

  /** Parses what has arrived; resolves the request when its whole answer is here. */
  read() {
    const w = this.waiting;
    if (!w) {
      if (this.buf.length) throw new Error('data without a request');
      return;
    }
    if (!w.res) {
      const end = this.buf.indexOf(HEAD_END);
      if (end < 0) {
        if (this.buf.length > MAX_HEAD) throw new Error('header block too large');
        return;
      }
      const lines = this.buf.toString('latin1', 0, end).split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
      if (!m) throw new Error(`not an HTTP answer: ${lines[0].slice(0, 80)}`);
      const status = Number(m[1]);
      const headers = { 'set-cookie': [] };
      for (let i = 1; i < lines.length; i++) {
        const colon = lines[i].indexOf(':');
        if (colon <= 0) throw new Error(`bad header line: ${lines[i].slice(0, 80)}`);
        const name = lines[i].slice(0, colon).trim().toLowerCase();
        const value = lines[i].slice(colon + 1).trim();
        if (name === 'set-cookie') headers[name].push(value);
        else headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
      }
      if (status >= 100 && status < 200) {
        // An interim answer (100 Continue…): the final one follows.
        this.buf = this.buf.subarray(end + HEAD_END.length);
        return this.read();
      }
      const noBody = w.method === 'HEAD' || status === 204 || status === 304;
      const chunked = /\bchunked\b/i.test(headers['transfer-encoding'] || '');
      const length = headers['content-length'] === undefined ? null : Number(headers['content-length']);
      if (length !== null && !(Number.isSafeInteger(length) && length >= 0)) throw new Error('bad content-length');
      w.res = { status, headers, noBody, chunked, length, chunks: [], close: /\bclose\b/i.test(headers.connection || '') };
      this.buf = this.buf.subarray(end + HEAD_END.length);
    }
    const r = w.res;
    if (r.noBody) return this.done(Buffer.alloc(0));
    if (r.chunked) {
      for (;;) {
        const eol = this.buf.indexOf(CRLF);
        if (eol < 0) return;
        const line = this.buf.toString('latin1', 0, eol);
        if (!/^[0-9a-f]+(;.*)?$/i.test(line)) throw new Error(`bad chunk size line: ${line.slice(0, 40)}`);
        const size = Number.parseInt(line, 16);
        if (!Number.isSafeInteger(size)) throw new Error('bad chunk size');
        if (size === 0) {
          // The last chunk, then (no trailers here) an empty line.
          if (this.buf.length < eol + 4) return;
          if (this.buf[eol + 2] !== 13 || this.buf[eol + 3] !== 10) throw new Error('trailers or junk after the last chunk');
          this.buf = this.buf.subarray(eol + 4);
          return this.done(Buffer.concat(r.chunks));
        }
        if (this.buf.length < eol + 2 + size + 2) return;
        if (this.buf[eol + 2 + size] !== 13 || this.buf[eol + 2 + size + 1] !== 10) throw new Error('a chunk not followed by CRLF');
        r.chunks.push(this.buf.subarray(eol + 2, eol + 2 + size));
        this.buf = this.buf.subarray(eol + 2 + size + 2);
      }
    }
    if (r.length !== null) {
      if (this.buf.length < r.length) return;
      const body = this.buf.subarray(0, r.length);
      this.buf = this.buf.subarray(r.length);
      return this.done(body);
    }
    // Neither: the body would run to the end of the connection, which cannot tell a whole answer from a cut one.
    throw new Error('an answer without Content-Length or chunked framing');
  }

  done(body) {
    const w = this.waiting;
    // One request in flight: anything after its answer is a framing error, not the next answer.
    if (this.buf.length) throw new Error(`${this.buf.length} bytes after the answer`);
    this.waiting = null;
    if (w.res.close) this.drop();
    w.resolve({ status: w.res.status, headers: w.res.headers, body });
  }

  ended(socket) {
    this.fail(socket, new Error('connection ended by the server'));
  }

  drop() {
    const s = this.socket;
    this.socket = null;
    this.buf = Buffer.alloc(0);
    s?.destroy();
  }

  fail(socket, err) {
    if (socket !== this.socket) return;
    const w = this.waiting;
    this.waiting = null;
    this.drop();
    w?.reject(err);
  }
}

/** Connections to one server, reused: a request takes an idle one (or opens one) and gives it back when answered. */
class Pool {
  constructor(base) {
    const u = new URL(base);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    this.idle = [];
    this.all = new Set();
  }

  async request(method, path, headers = {}, body = undefined) {
    const conn = this.idle.pop() ?? new Connection(this.host, this.port);
    this.all.add(conn);
    try {
      return await conn.request(method, path, headers, body);
    } finally {
      this.idle.push(conn);
    }
  }

  destroy() {
    for (const c of this.all) c.drop();
    this.idle = [];
    this.all.clear();
  }
}

module.exports = { Connection, Pool };
