// RBAC policy: named rules in oslo.policy's check language, as Zaqar's policy.json uses it.
//
// Supported checks: "" and "@" (always), "!" (never), role:NAME, rule:NAME, is_admin:True|False,
// and KEY:VALUE comparing a credential with a literal or a %(target)s value; combined with
// and / or / not and parentheses. An operation with no rule falls back to the "default" rule.

import { Forbidden } from '../core/errors';

/** Who is asking (from the token or noauth). */
export interface PolicyCredentials {
  roles: string[];
  project_id: string;
  is_admin: boolean;
  [key: string]: unknown;
}

/** Rules by name (operation names such as "queues:create", and helper rules). */
export type PolicyRules = Record<string, string>;

type Node =
  | { kind: 'const'; value: boolean }
  | { kind: 'check'; key: string; value: string }
  | { kind: 'not'; of: Node }
  | { kind: 'and' | 'or'; of: Node[] };

/** Splits a check string into parentheses, keywords and checks (a %(name)s reference stays whole). */
function tokenize(text: string): string[] {
  return text
    .replace(/%\((\w+)\)s/g, '%{$1}s')
    .replace(/\(/g, ' ( ')
    .replace(/\)/g, ' ) ')
    .split(/\s+/)
    .filter(Boolean);
}

/** Parses one rule; a syntax error names the rule. */
function parse(name: string, text: string): Node {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { kind: 'const', value: true };
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`policy rule "${name}": ${why} in "${text}"`);
  };
  const orExpr = (): Node => {
    const of = [andExpr()];
    while (tokens[at]?.toLowerCase() === 'or') {
      at++;
      of.push(andExpr());
    }
    return of.length === 1 ? of[0] : { kind: 'or', of };
  };
  const andExpr = (): Node => {
    const of = [notExpr()];
    while (tokens[at]?.toLowerCase() === 'and') {
      at++;
      of.push(notExpr());
    }
    return of.length === 1 ? of[0] : { kind: 'and', of };
  };
  const notExpr = (): Node => {
    if (tokens[at]?.toLowerCase() === 'not') {
      at++;
      return { kind: 'not', of: notExpr() };
    }
    return atom();
  };
  const atom = (): Node => {
    const token = tokens[at++];
    if (token === undefined) return fail('unexpected end');
    if (token === '(') {
      const inner = orExpr();
      if (tokens[at++] !== ')') fail('missing ")"');
      return inner;
    }
    if (token === '@') return { kind: 'const', value: true };
    if (token === '!') return { kind: 'const', value: false };
    const colon = token.indexOf(':');
    if (colon <= 0) return fail(`"${token}" is not a check`);
    return { kind: 'check', key: token.slice(0, colon), value: token.slice(colon + 1) };
  };
  const node = orExpr();
  if (at !== tokens.length) fail(`unexpected "${tokens[at]}"`);
  return node;
}

/** A compiled policy: decides whether credentials may perform an operation on a target. */
export class Policy {
  private readonly compiled = new Map<string, Node>();

  constructor(rules: PolicyRules) {
    for (const [name, text] of Object.entries(rules)) this.compiled.set(name, parse(name, text));
  }

  /** Whether the rule of `operation` (or "default") allows it. */
  allows(operation: string, creds: PolicyCredentials, target: Record<string, unknown> = {}): boolean {
    const node = this.compiled.get(operation) ?? this.compiled.get('default');
    if (!node) return false;
    return this.evaluate(node, creds, target, 0);
  }

  /** Throws Forbidden unless allowed. */
  enforce(operation: string, creds: PolicyCredentials, target: Record<string, unknown> = {}): void {
    if (!this.allows(operation, creds, target)) {
      throw new Forbidden(`The policy does not allow ${operation} to this caller.`);
    }
  }

  private evaluate(node: Node, creds: PolicyCredentials, target: Record<string, unknown>, depth: number): boolean {
    if (depth > 32) return false; // a rule that refers to itself
    switch (node.kind) {
      case 'const':
        return node.value;
      case 'not':
        return !this.evaluate(node.of, creds, target, depth + 1);
      case 'and':
        return node.of.every((n) => this.evaluate(n, creds, target, depth + 1));
      case 'or':
        return node.of.some((n) => this.evaluate(n, creds, target, depth + 1));
      case 'check':
        return this.check(node.key, node.value, creds, target, depth);
    }
  }

  private check(key: string, value: string, creds: PolicyCredentials, target: Record<string, unknown>, depth: number) {
    if (key === 'rule') {
      const rule = this.compiled.get(value);
      return rule ? this.evaluate(rule, creds, target, depth + 1) : false;
    }
    if (key === 'role') return creds.roles.some((r) => r.toLowerCase() === value.toLowerCase());
    if (key === 'is_admin') return creds.is_admin === (value.toLowerCase() === 'true');
    const wanted = value.replace(/^%\{(\w+)\}s$/, (_m, name: string) => String(target[name] ?? '\u0000'));
    const have = creds[key];
    return have !== undefined && have !== null && String(have) === wanted;
  }
}
