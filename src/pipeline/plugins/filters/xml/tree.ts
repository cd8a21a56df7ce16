// XML text as a small document tree (elements with ordered attributes and children, text nodes), parsed with
// fast-xml-parser, plus Nokogiri-like serialization and namespace helpers for the xml filter's XPath.

import { XMLParser, XMLValidator } from "fast-xml-parser";

export interface XmlElement {
  kind: "element";
  name: string;
  attributes: [string, string][];
  children: XmlNode[];
  parent: XmlElement | undefined;
}

export interface XmlText {
  kind: "text";
  text: string;
  parent: XmlElement;
}

export interface XmlAttribute {
  kind: "attribute";
  name: string;
  value: string;
  parent: XmlElement;
}

export type XmlNode = XmlElement | XmlText;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  cdataPropName: "#cdata",
  commentPropName: "#comment",
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/** Throws when the text is not well-formed XML (REXML's strictness). */
export function assertWellFormed(text: string): void {
  const result = XMLValidator.validate(text);
  if (result !== true)
    throw new Error(`${result.err.msg} (line ${result.err.line}, column ${result.err.col})`);
}

/** A document node (name "") holding the root element. Throws when nothing element-like is found. */
export function parseXml(text: string): XmlElement {
  const document: XmlElement = { kind: "element", name: "", attributes: [], children: [], parent: undefined };
  addChildren(document, parser.parse(text) as RawNode[]);
  if (!document.children.some((child) => child.kind === "element")) throw new Error("no root element");
  return document;
}

type RawNode = Record<string, unknown>;

function addChildren(parent: XmlElement, raw: RawNode[]): void {
  for (const node of raw) {
    const name = Object.keys(node).find((key) => key !== ":@");
    if (name === undefined || name === "#comment") continue;
    if (name === "#text") {
      parent.children.push({ kind: "text", text: String(node[name]), parent });
      continue;
    }
    if (name === "#cdata") {
      const inner = (node[name] as RawNode[]).map((n) => String(n["#text"] ?? "")).join("");
      parent.children.push({ kind: "text", text: inner, parent });
      continue;
    }
    const attributes = Object.entries((node[":@"] as Record<string, unknown> | undefined) ?? {}).map(
      ([key, value]) => [key, String(value)] as [string, string],
    );
    const element: XmlElement = { kind: "element", name, attributes, children: [], parent };
    addChildren(element, node[name] as RawNode[]);
    parent.children.push(element);
  }
}

export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter((child): child is XmlElement => child.kind === "element");
}

/** All text below a node, in document order (XPath's string-value). */
export function textContent(node: XmlNode | XmlAttribute): string {
  if (node.kind === "attribute") return node.value;
  if (node.kind === "text") return node.text;
  return node.children.map(textContent).join("");
}

export function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
}

/** The namespace URI of an element or attribute name, resolved through the xmlns declarations in scope. */
export function namespaceOf(name: string, element: XmlElement, isAttribute = false): string {
  const colon = name.indexOf(":");
  if (colon < 0 && isAttribute) return "";
  const prefix = colon < 0 ? "" : name.slice(0, colon);
  const declaration = prefix === "" ? "xmlns" : `xmlns:${prefix}`;
  for (let at: XmlElement | undefined = element; at !== undefined; at = at.parent) {
    const found = at.attributes.find(([key]) => key === declaration);
    if (found !== undefined) return found[1];
  }
  return "";
}

/** Nokogiri's remove_namespaces!: names lose their prefixes and namespace declarations go. */
export function removeNamespaces(element: XmlElement): void {
  element.name = localName(element.name);
  element.attributes = element.attributes
    .filter(([key]) => key !== "xmlns" && !key.startsWith("xmlns:"))
    .map(([key, value]) => [localName(key), value]);
  for (const child of childElements(element)) removeNamespaces(child);
}

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => escapes[c]!);
}

/** A node as Nokogiri's to_s prints it: elements as XML, text escaped, attributes as their value. */
export function serialize(node: XmlNode | XmlAttribute): string {
  if (node.kind === "attribute") return node.value;
  if (node.kind === "text") return escapeText(node.text);
  const attributes = node.attributes
    .map(([key, value]) => ` ${key}="${value.replace(/[&<"]/g, (c) => escapes[c]!)}"`)
    .join("");
  if (node.children.length === 0) return `<${node.name}${attributes}/>`;
  return `<${node.name}${attributes}>${node.children.map(serialize).join("")}</${node.name}>`;
}
