// Sets of UTF-16 code units as regex analysis needs them: ASCII exactly, everything else as one conservative
// "some non-ASCII unit" member (a set holding it is taken to hold every non-ASCII unit).

const asciiWords = 4;

export class CharSet {
  private readonly words = new Uint32Array(asciiWords);
  private nonAscii = false;

  static all(): CharSet {
    return new CharSet().complement();
  }

  static of(...codes: number[]): CharSet {
    const set = new CharSet();
    for (const code of codes) set.addRange(code, code);
    return set;
  }

  addRange(from: number, to: number): void {
    for (let c = from; c <= Math.min(to, 127); c++) this.words[c >> 5]! |= 1 << (c & 31);
    if (to > 127) this.nonAscii = true;
  }

  addAll(other: CharSet): void {
    for (let i = 0; i < asciiWords; i++) this.words[i]! |= other.words[i]!;
    this.nonAscii ||= other.nonAscii;
  }

  has(code: number): boolean {
    return code > 127 ? this.nonAscii : (this.words[code >> 5]! & (1 << (code & 31))) !== 0;
  }

  union(other: CharSet): CharSet {
    const out = this.copy();
    out.addAll(other);
    return out;
  }

  complement(): CharSet {
    const out = new CharSet();
    for (let i = 0; i < asciiWords; i++) out.words[i] = ~this.words[i]!;
    out.nonAscii = !this.nonAscii;
    return out;
  }

  intersects(other: CharSet): boolean {
    for (let i = 0; i < asciiWords; i++) if ((this.words[i]! & other.words[i]!) !== 0) return true;
    return this.nonAscii && other.nonAscii;
  }

  equals(other: CharSet): boolean {
    for (let i = 0; i < asciiWords; i++) if (this.words[i] !== other.words[i]) return false;
    return this.nonAscii === other.nonAscii;
  }

  isEmpty(): boolean {
    return !this.nonAscii && this.words.every((w) => w === 0);
  }

  /** The one ASCII member of a one-member set, else undefined. */
  single(): number | undefined {
    if (this.nonAscii) return undefined;
    let found: number | undefined;
    for (let c = 0; c < 128; c++) {
      if (!this.has(c)) continue;
      if (found !== undefined) return undefined;
      found = c;
    }
    return found;
  }

  /** A JavaScript character class for the set (non-ASCII as the whole range U+0080–U+FFFF). */
  toClass(): string {
    let out = "";
    for (let c = 0; c < 128; c++) {
      if (!this.has(c)) continue;
      let end = c;
      while (end + 1 < 128 && this.has(end + 1)) end++;
      out += end === c ? hex(c) : `${hex(c)}-${hex(end)}`;
      c = end;
    }
    if (this.nonAscii) out += "\\u0080-\\uffff";
    return out === "" ? "[^\\s\\S]" : `[${out}]`;
  }

  private copy(): CharSet {
    const out = new CharSet();
    out.addAll(this);
    return out;
  }
}

const hex = (c: number) => `\\x${c.toString(16).padStart(2, "0")}`;
