/**
 * Aho–Corasick over UTF-16 code units: one compiled automaton finds every occurrence of every
 * pattern in one pass over the text, whatever the number of patterns.
 */
export interface RawMatch {
  start: number
  end: number
  /** Indices of the patterns with this exact (folded) text. */
  patterns: readonly number[]
}

export class Automaton {
  /** node * 0x10000 + code unit → child node */
  private readonly next = new Map<number, number>()
  private fail: Int32Array = new Int32Array(1)
  /** Patterns ending exactly at the node. */
  private out: (number[] | undefined)[] = [undefined]
  /** Nearest node on the failure chain that has patterns (-1: none). */
  private dict: Int32Array = new Int32Array(1)
  private depth: number[] = [0]
  private nodes = 1
  private built = false

  add(pattern: string, id: number): void {
    if (this.built) throw new Error('automaton already built')
    if (!pattern) return
    let node = 0
    for (let i = 0; i < pattern.length; i++) {
      const key = node * 0x10000 + pattern.charCodeAt(i)
      let child = this.next.get(key)
      if (child === undefined) {
        child = this.nodes++
        this.next.set(key, child)
        this.out.push(undefined)
        this.depth.push(i + 1)
      }
      node = child
    }
    const list = this.out[node]
    if (list) list.push(id)
    else this.out[node] = [id]
  }

  build(): this {
    const n = this.nodes
    this.fail = new Int32Array(n)
    this.dict = new Int32Array(n).fill(-1)
    const children: number[][] = Array.from({ length: n }, () => [])
    for (const [key, child] of this.next)
      children[Math.floor(key / 0x10000)]?.push(key % 0x10000, child)
    const queue: number[] = []
    const kids0 = children[0] ?? []
    for (let i = 0; i < kids0.length; i += 2) queue.push(kids0[i + 1] as number)
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q] as number
      const kids = children[node] ?? []
      for (let i = 0; i < kids.length; i += 2) {
        const c = kids[i] as number
        const child = kids[i + 1] as number
        let f = this.fail[node] as number
        let target = this.next.get(f * 0x10000 + c)
        while (target === undefined && f !== 0) {
          f = this.fail[f] as number
          target = this.next.get(f * 0x10000 + c)
        }
        const fc = target !== undefined && target !== child ? target : 0
        this.fail[child] = fc
        this.dict[child] = this.out[fc] ? fc : (this.dict[fc] as number)
        queue.push(child)
      }
    }
    this.built = true
    return this
  }

  get size(): number {
    return this.nodes
  }

  /** Every occurrence of every pattern in `text` (already folded), in order of end position. */
  findAll(text: string): RawMatch[] {
    if (!this.built) this.build()
    const found: RawMatch[] = []
    let node = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      let child = this.next.get(node * 0x10000 + c)
      while (child === undefined && node !== 0) {
        node = this.fail[node] as number
        child = this.next.get(node * 0x10000 + c)
      }
      node = child ?? 0
      let hit = this.out[node] ? node : (this.dict[node] as number)
      while (hit > 0) {
        const d = this.depth[hit] as number
        found.push({ start: i + 1 - d, end: i + 1, patterns: this.out[hit] as number[] })
        hit = this.dict[hit] as number
      }
    }
    return found
  }
}
