// The syntax tree of a Logstash configuration (LSCL), one node type per grammar construct, each with its source position.
// It keeps what was written (raw string bodies, number text, flat conditions); compile.ts gives it meaning.

/** Where a node starts: 1-based line and column (in UTF-16 code units), 0-based offset into its source text. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
  offset: number;
}

interface NodeBase {
  pos: SourcePosition;
  /** Offset just past the node's last character. */
  end: number;
}

export type SectionType = "input" | "filter" | "output";

export interface ConfigNode extends NodeBase {
  kind: "config";
  sections: PluginSectionNode[];
}

export interface PluginSectionNode extends NodeBase {
  kind: "section";
  type: SectionType;
  body: StatementNode[];
}

export type StatementNode = PluginNode | BranchNode;

export interface PluginNode extends NodeBase {
  kind: "plugin";
  name: string;
  attributes: AttributeNode[];
}

export interface AttributeNode extends NodeBase {
  kind: "attribute";
  name: string;
  value: ValueNode;
}

/** What may follow `=>`: a plugin (as in `codec => json {}`) or a plain value. */
export type ValueNode = PluginNode | BarewordNode | StringNode | NumberNode | ArrayNode | HashNode;

export interface BarewordNode extends NodeBase {
  kind: "bareword";
  value: string;
}

export interface StringNode extends NodeBase {
  kind: "string";
  quote: '"' | "'";
  /** The text between the quotes, escapes untouched. */
  raw: string;
}

export interface NumberNode extends NodeBase {
  kind: "number";
  text: string;
  value: number;
  isFloat: boolean;
}

export interface ArrayNode extends NodeBase {
  kind: "array";
  elements: ValueNode[];
}

export interface HashNode extends NodeBase {
  kind: "hash";
  entries: HashEntryNode[];
}

export interface HashEntryNode extends NodeBase {
  kind: "hashEntry";
  key: NumberNode | BarewordNode | StringNode;
  value: ValueNode;
}

export interface BranchNode extends NodeBase {
  kind: "branch";
  /** The `if` first, then any `else if`s, then at most one `else` (condition null). */
  clauses: ClauseNode[];
}

export interface ClauseNode extends NodeBase {
  kind: "clause";
  keyword: "if" | "else if" | "else";
  condition: ConditionNode | null;
  body: StatementNode[];
}

export type BooleanOperator = "and" | "or" | "xor" | "nand";

/** Expressions joined by boolean operators, flat as written; precedence is applied by compile.ts. */
export interface ConditionNode extends NodeBase {
  kind: "condition";
  first: ExpressionNode;
  rest: Array<{ operator: BooleanOperator; operatorPos: SourcePosition; expression: ExpressionNode }>;
}

export type ExpressionNode = ParenNode | NotNode | InNode | CompareNode | RegexMatchNode | RValueNode;

export interface ParenNode extends NodeBase {
  kind: "paren";
  condition: ConditionNode;
}

/** `!` applies only to a parenthesised condition or a field reference. */
export interface NotNode extends NodeBase {
  kind: "not";
  operand: ConditionNode | SelectorNode;
}

export interface InNode extends NodeBase {
  kind: "in";
  negated: boolean;
  left: RValueNode;
  right: RValueNode;
}

export type CompareOperator = "==" | "!=" | "<" | ">" | "<=" | ">=";

export interface CompareNode extends NodeBase {
  kind: "compare";
  operator: CompareOperator;
  left: RValueNode;
  right: RValueNode;
}

export interface RegexMatchNode extends NodeBase {
  kind: "regexMatch";
  operator: "=~" | "!~";
  left: RValueNode;
  pattern: StringNode | RegexpNode;
}

export type RValueNode = StringNode | NumberNode | SelectorNode | ArrayNode | MethodCallNode | RegexpNode;

/** A field reference as written, e.g. `[a][b]`; each element is the text between one pair of brackets. */
export interface SelectorNode extends NodeBase {
  kind: "selector";
  text: string;
  elements: string[];
}

export interface MethodCallNode extends NodeBase {
  kind: "methodCall";
  name: string;
  args: RValueNode[];
}

export interface RegexpNode extends NodeBase {
  kind: "regexp";
  /** The text between the slashes, `\/` left as written. */
  raw: string;
}
