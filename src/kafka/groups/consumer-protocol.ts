// Reads the topic list out of a "consumer" protocol member's subscription metadata (ConsumerProtocolSubscription),
// so OffsetDelete can refuse topics the group is consuming. Only the leading, version-stable fields are read.

/** The subscribed topics, or null when the bytes are not a subscription we can read. */
export function subscribedTopics(metadata: Buffer): string[] | null {
  try {
    if (metadata.length < 6) return null;
    let pos = 2; // int16 version: every version starts with the same topics array
    const count = metadata.readInt32BE(pos);
    pos += 4;
    if (count < 0 || count > metadata.length) return null;
    const topics: string[] = [];
    for (let i = 0; i < count; i++) {
      const length = metadata.readInt16BE(pos);
      pos += 2;
      if (length < 0 || pos + length > metadata.length) return null;
      topics.push(metadata.toString("utf8", pos, pos + length));
      pos += length;
    }
    return topics;
  } catch {
    return null;
  }
}

/** Builds subscription metadata (version 0, no user data): for tests and tools. */
export function encodeSubscription(topics: string[]): Buffer {
  const parts: Buffer[] = [Buffer.alloc(6)];
  parts[0].writeInt16BE(0, 0);
  parts[0].writeInt32BE(topics.length, 2);
  for (const topic of topics) {
    const name = Buffer.from(topic, "utf8");
    const length = Buffer.alloc(2);
    length.writeInt16BE(name.length, 0);
    parts.push(length, name);
  }
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff])); // null user data
  return Buffer.concat(parts);
}
