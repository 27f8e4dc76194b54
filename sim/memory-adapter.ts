/**
 * The simulator keeps its provider state in memory on purpose (a restart starts afresh). Saying so
 * with an explicit adapter also keeps oidc-provider from warning at every start.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

/** One store per provider instance (tests may run two simulators in one process). */
export function memoryAdapter() {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  return class MemoryAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private key(id: string) {
      return `${this.model}:${id}`;
    }

    private get(key: string): AdapterPayload | undefined {
      const hit = store.get(key);
      if (!hit) return undefined;
      if (hit.expiresAt < Date.now()) {
        store.delete(key);
        return undefined;
      }
      return hit.payload;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      store.set(this.key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 });
      if (payload.uid)
        store.set(`${this.model}:uid:${payload.uid}`, {
          payload: { ...payload, jti: id } as AdapterPayload,
          expiresAt: Date.now() + expiresIn * 1000,
        });
      if (payload.userCode)
        store.set(`${this.model}:user:${payload.userCode}`, {
          payload: { ...payload, jti: id } as AdapterPayload,
          expiresAt: Date.now() + expiresIn * 1000,
        });
      if (payload.grantId) {
        const gk = `grant:${payload.grantId}`;
        const list = (store.get(gk)?.payload as unknown as { keys: string[] } | undefined)?.keys ?? [];
        store.set(gk, {
          payload: { keys: [...list, this.key(id)] } as unknown as AdapterPayload,
          expiresAt: Date.now() + expiresIn * 1000,
        });
      }
    }

    async find(id: string) {
      return this.get(this.key(id));
    }

    async findByUid(uid: string) {
      const p = this.get(`${this.model}:uid:${uid}`);
      return p ? this.get(this.key(String(p.jti))) : undefined;
    }

    async findByUserCode(userCode: string) {
      const p = this.get(`${this.model}:user:${userCode}`);
      return p ? this.get(this.key(String(p.jti))) : undefined;
    }

    async consume(id: string) {
      const hit = store.get(this.key(id));
      if (hit) hit.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string) {
      store.delete(this.key(id));
    }

    async revokeByGrantId(grantId: string) {
      const gk = `grant:${grantId}`;
      for (const k of (store.get(gk)?.payload as unknown as { keys: string[] } | undefined)?.keys ?? []) store.delete(k);
      store.delete(gk);
    }
  };
}
