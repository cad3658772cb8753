// The patterns of the gateway's --export and --import: a name glob ("*" any characters, "?" one),
// optionally with a kind before a colon:
//
//   fn:NAME        shared functions
//   value:NAME     named memory in membridge's layout
//   sysframe:NAME  named memory in Python sysframe's layout ({ layout: 'sysframe' })
//   NAME           functions and membridge values
export type GatewayKind = 'fn' | 'value' | 'sysframe';

export interface GatewayPattern {
  readonly text: string;
  readonly kinds: ReadonlySet<GatewayKind>;
  readonly regex: RegExp;
}

export function parseGatewayPattern(text: string): GatewayPattern {
  const m = /^(fn|value|sysframe):(.*)$/.exec(text);
  const glob = m ? m[2]! : text;
  if (glob.length === 0) throw new TypeError(`Cannot use the gateway pattern "${text}": the name part is empty`);
  const kinds = new Set<GatewayKind>(m ? [m[1] as GatewayKind] : ['fn', 'value']);
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return { text, kinds, regex: new RegExp(`^${body}$`) };
}

/** Whether any of `patterns` takes `name` for `kind`. */
export function matchesAny(patterns: readonly GatewayPattern[], kind: GatewayKind, name: string): boolean {
  return patterns.some((p) => p.kinds.has(kind) && p.regex.test(name));
}
