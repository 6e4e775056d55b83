/**
 * json-rules-engine keeps one `status` per Engine, and a run that finishes marks it FINISHED even
 * while another run on the same Engine is mid-way, which makes that run skip rules. So each run
 * borrows an Engine of its own from a pool; engines are built on demand and reused, never per call.
 */
import type { Engine } from 'json-rules-engine'

export class EnginePool {
  private readonly idle: Engine[] = []
  private readonly build: () => Engine

  constructor(build: () => Engine) {
    this.build = build
    this.idle.push(build())
  }

  async use<T>(fn: (engine: Engine) => Promise<T>): Promise<T> {
    const engine = this.idle.pop() ?? this.build()
    try {
      return await fn(engine)
    } finally {
      if (this.idle.length < 64) this.idle.push(engine)
    }
  }
}
