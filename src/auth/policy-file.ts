// Loading the policy: etc/policy.json (Zaqar's defaults) or the file `policy.file` names.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Policy, type PolicyRules } from './policy';

/** The shipped policy file: the same relative place from src/auth and dist/auth. */
export const DEFAULT_POLICY_FILE = join(__dirname, '../../etc/policy.json');

function compile(file: string, text: string): Policy {
  let rules: unknown;
  try {
    rules = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON`);
  }
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
    throw new Error(`${file} must be a JSON object of rules`);
  }
  for (const [name, rule] of Object.entries(rules)) {
    if (typeof rule !== 'string') throw new Error(`${file}: rule "${name}" must be a string`);
  }
  return new Policy(rules as PolicyRules);
}

/** Reads and compiles a policy file (the shipped one when `file` is empty). */
export async function loadPolicy(file = ''): Promise<Policy> {
  const path = file || DEFAULT_POLICY_FILE;
  return compile(path, await readFile(path, 'utf8'));
}

let shipped: Policy | undefined;

/** The shipped policy, read once (for operations built without an explicit policy, as in tests). */
export function shippedPolicy(): Policy {
  shipped ??= compile(DEFAULT_POLICY_FILE, readFileSync(DEFAULT_POLICY_FILE, 'utf8'));
  return shipped;
}
