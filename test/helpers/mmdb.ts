// A minimal MaxMind DB writer for tests (IPv4 search tree, 24-bit records, the data types GeoIP2 records use),
// so geoip tests (the filter's unit test, the Apache pipeline test) need no downloaded database.

export type MmdbValue =
  | string
  | number
  | boolean
  | MmdbValue[]
  | { [key: string]: MmdbValue }
  | { double: number }
  | { uint64: number };

function control(type: number, size: number): Buffer {
  const extended = type > 7;
  const head = (extended ? 0 : type << 5) | (size < 29 ? size : size < 285 ? 29 : 30);
  const bytes = [head];
  if (extended) bytes.push(type - 7);
  if (size >= 285) bytes.push(((size - 285) >> 8) & 255, (size - 285) & 255);
  else if (size >= 29) bytes.push(size - 29);
  return Buffer.from(bytes);
}

function uintBytes(value: number): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from(bytes);
}

function encode(value: MmdbValue): Buffer {
  if (typeof value === "string") {
    const text = Buffer.from(value);
    return Buffer.concat([control(2, text.length), text]);
  }
  if (typeof value === "boolean") return control(14, value ? 1 : 0);
  if (typeof value === "number") {
    const bytes = uintBytes(value);
    return Buffer.concat([control(6, bytes.length), bytes]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  if ("double" in value && typeof value.double === "number") {
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleBE(value.double);
    return Buffer.concat([control(3, 8), bytes]);
  }
  if ("uint64" in value && typeof value.uint64 === "number") {
    const bytes = uintBytes(value.uint64);
    return Buffer.concat([control(9, bytes.length), bytes]);
  }
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}

/** Builds an IPv4 mmdb mapping each CIDR network to a record. */
export function buildMmdb(databaseType: string, networks: [string, MmdbValue][]): Buffer {
  const nodes: [number, number][] = [[-1, -1]];
  const data: Buffer[] = [];
  const leaves: { node: number; side: number; offset: number }[] = [];
  let dataLength = 0;
  for (const [cidr, record] of networks) {
    const [address, prefix] = cidr.split("/");
    const bits = address!.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
    let node = 0;
    for (let depth = 0; depth < Number(prefix); depth++) {
      const side = Math.floor(bits / 2 ** (31 - depth)) % 2;
      if (depth === Number(prefix) - 1) {
        leaves.push({ node, side, offset: dataLength });
        break;
      }
      if (nodes[node]![side]! < 0) {
        nodes.push([-1, -1]);
        nodes[node]![side] = nodes.length - 1;
      }
      node = nodes[node]![side]!;
    }
    const encoded = encode(record);
    data.push(encoded);
    dataLength += encoded.length;
  }
  const count = nodes.length;
  for (const leaf of leaves) nodes[leaf.node]![leaf.side] = count + 16 + leaf.offset;
  const tree = Buffer.alloc(count * 6);
  nodes.forEach(([left, right], i) => {
    tree.writeUIntBE(left! < 0 ? count : left!, i * 6, 3);
    tree.writeUIntBE(right! < 0 ? count : right!, i * 6 + 3, 3);
  });
  const metadata = encode({
    node_count: count,
    record_size: 24,
    ip_version: 4,
    database_type: databaseType,
    languages: ["en"],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: { uint64: 1_700_000_000 },
    description: { en: "sluice test database" },
  });
  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    ...data,
    Buffer.from("abcdef4d61784d696e642e636f6d", "hex"),
    metadata,
  ]);
}
