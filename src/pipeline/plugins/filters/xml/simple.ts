// XML as XmlSimple's xml_in shapes it for Logstash's `store_xml`: the root element's attributes and children
// as a hash, child elements as arrays (force_array), text as a string or `content`, empty elements suppressed.

import { childElements, type XmlElement } from "./tree.js";

export interface SimpleOptions {
  forceArray: boolean;
  forceContent: boolean;
  suppressEmpty: boolean;
}

export type SimpleValue = string | SimpleValue[] | { [key: string]: SimpleValue };

/** Sentinel for an element that is left out (SuppressEmpty). */
const suppressed = Symbol("suppressed");

export function xmlSimple(document: XmlElement, options: SimpleOptions): SimpleValue {
  const root = childElements(document)[0]!;
  const value = collapse(root, options);
  return value === suppressed ? {} : value;
}

function collapse(element: XmlElement, options: SimpleOptions): SimpleValue | typeof suppressed {
  const hash: { [key: string]: SimpleValue } = {};
  for (const [key, value] of element.attributes) hash[key] = value;
  const texts: string[] = [];
  for (const child of element.children) {
    if (child.kind === "text") {
      if (child.text.trim() !== "") texts.push(child.text);
      continue;
    }
    const value = collapse(child, options);
    if (value === suppressed) continue;
    const existing = hash[child.name];
    if (existing === undefined) hash[child.name] = options.forceArray ? [value] : value;
    // collapse() never returns an array, so an array here is an earlier repetition.
    else if (Array.isArray(existing)) existing.push(value);
    else hash[child.name] = [existing, value];
  }
  const attributeOrChild = Object.keys(hash).length > 0;
  if (texts.length > 0) {
    const text = texts.length === 1 ? texts[0]! : texts.join("");
    if (!attributeOrChild && !options.forceContent) return text;
    hash.content = text;
    return hash;
  }
  if (!attributeOrChild) return options.suppressEmpty ? suppressed : {};
  return hash;
}
