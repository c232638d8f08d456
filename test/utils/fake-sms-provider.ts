import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server speaking Mobizon's SMS API (`/service/message/{sendsmsmessage,list,getsmsstatus}`,
 * `?output=json&api=v1&apiKey=…`, form-encoded parameters, `{code, data, message}` answers), for tests.
 *
 * Modes: `ok`; `fail` (HTTP 500, nothing done); `timeout` (answers only after `slowMs`, but does the work
 * — like a real provider whose client gave up). Recipients in `rejectRecipients` get code 1 (validation
 * error). Messages are recorded with their recipient and text, so a test can count each exactly.
 */
export type FakeMode = 'ok' | 'fail' | 'timeout';

export interface FakeMessage {
  id: string;
  to: string;
  text: string;
  from: string | null;
}

export interface FakeRequest {
  method: string;
  mode: FakeMode;
  to: string | null;
}

export class FakeMobizon {
  mode: FakeMode = 'ok';
  slowMs = 1000;
  readonly rejectRecipients = new Set<string>();
  /**
   * Delivery status reported by getsmsstatus, per message. Default NEW (accepted, no report yet): the
   * workers poll reports at every wall-clock minute, so a final default would turn SENT into DELIVERED
   * in the middle of a test that happens to cross a minute; a test that wants reports sets DELIVRD.
   */
  statusOf: (m: FakeMessage) => string = () => 'NEW';
  readonly messages: FakeMessage[] = [];
  readonly requests: FakeRequest[] = [];
  /** Requests being handled now, and the most there ever were at once. */
  inFlight = 0;
  maxInFlight = 0;
  private nextId = 7000;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly apiKey: string,
  ) {}

  static async start(apiKey = 'fake-mobizon-key'): Promise<FakeMobizon> {
    let self: FakeMobizon | null = null;
    const server = createServer((req, res) => {
      void self?.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    self = new FakeMobizon(server, `http://127.0.0.1:${port}`, apiKey);
    return self;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Messages to a number ('+7701…' or '7701…'). */
  to(phone: string): FakeMessage[] {
    const d = phone.replace(/\D/g, '');
    return this.messages.filter((m) => m.to === d);
  }

  /** Send requests that reached the provider for a number (whatever their outcome). */
  sendRequests(phone: string): number {
    const d = phone.replace(/\D/g, '');
    return this.requests.filter((r) => r.method === 'sendsmsmessage' && r.to === d).length;
  }

  /** How many times each (recipient, text) was accepted. */
  counts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const x of this.messages) {
      m.set(`${x.to}|${x.text}`, (m.get(`${x.to}|${x.text}`) ?? 0) + 1);
    }
    return m;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.handleOne(req, res);
    } finally {
      this.inFlight--;
    }
  }

  private async handleOne(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    for (const [k, v] of url.searchParams) if (!params.has(k)) params.set(k, v);
    const method = (/^\/service\/message\/(\w+)$/i.exec(url.pathname)?.[1] ?? '').toLowerCase();
    const mode = this.mode;
    this.requests.push({ method, mode, to: params.get('recipient') ?? params.get('criteria[to]') });
    if (mode === 'fail') {
      res.writeHead(500, { 'content-type': 'text/html' }).end('<html>Internal Server Error</html>');
      return;
    }
    if (mode === 'timeout') await new Promise((r) => setTimeout(r, this.slowMs));
    const answer = this.answer(method, params);
    if (!res.destroyed) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    }
  }

  private answer(method: string, p: URLSearchParams): { code: number; data: unknown; message: string } {
    if (p.get('apiKey') !== this.apiKey || p.get('output') !== 'json' || p.get('api') !== 'v1') {
      return { code: 8, data: null, message: 'Authorization failed' };
    }
    switch (method) {
      case 'sendsmsmessage': {
        const to = p.get('recipient') ?? '';
        const text = p.get('text') ?? '';
        if (!/^7\d{10}$/.test(to) || !text) {
          return { code: 11, data: null, message: 'recipient and text are required' };
        }
        if (this.rejectRecipients.has(to)) {
          return {
            code: 1,
            data: { recipient: 'Номер получателя указан неверно' },
            message: 'Ошибка валидации',
          };
        }
        const id = String(this.nextId++);
        this.messages.push({ id, to, text, from: p.get('from') });
        return { code: 0, data: { campaignId: id, messageId: id, status: 1 }, message: '' };
      }
      case 'list': {
        const to = p.get('criteria[to]');
        const page = Number(p.get('pagination[currentPage]') ?? 0);
        const size = Number(p.get('pagination[pageSize]') ?? 25);
        const all = this.messages.filter((m) => !to || m.to === to);
        const items = all.slice(page * size, page * size + size).map((m) => ({ ...m, status: this.statusOf(m) }));
        return { code: 0, data: { items, totalItemCount: all.length }, message: '' };
      }
      case 'getsmsstatus': {
        const ids: string[] = [];
        for (const [k, v] of p) if (/^ids\[\d+\]$/.test(k)) ids.push(v);
        const data = ids
          .map((id) => this.messages.find((m) => m.id === id))
          .filter((m): m is FakeMessage => m !== undefined)
          .map((m) => ({
            id: Number(m.id),
            status: this.statusOf(m),
            segNum: 1,
            startSendTs: null,
            statusUpdateTs: null,
          }));
        return { code: 0, data, message: '' };
      }
      default:
        return { code: 5, data: null, message: 'Unknown method' };
    }
  }
}
