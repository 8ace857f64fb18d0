/** Longest path glob accepted (faults and journal filters): matching costs up to its length × the path's. */
export const MAX_GLOB_LENGTH = 256;

type Token = { literal: string } | 'star' | 'globstar';

function tokenize(glob: string): Token[] {
  if (glob.length > MAX_GLOB_LENGTH) throw new RangeError(`a path glob is at most ${MAX_GLOB_LENGTH} characters, got ${glob.length}`);
  return glob.split(/(\*\*|\*)/).flatMap((part): Token[] => (part === '**' ? ['globstar'] : part === '*' ? ['star'] : part === '' ? [] : [{ literal: part }]));
}

/**
 * A path glob: `*` matches within one segment, `**` across segments; anything else is literal.
 * Matched by walking the set of reachable path positions token by token, never by backtracking:
 * a regular expression such as `^.*a.*a.*a.*b$` takes exponential time on a long path of `a`s,
 * and one fault with such a glob would hang the server on every request.
 */
export function globMatcher(glob: string): (path: string) => boolean {
  const tokens = tokenize(glob);
  return (path) => {
    const n = path.length;
    // reach[i]: the tokens seen so far can match path[0, i).
    let reach = new Uint8Array(n + 1);
    reach[0] = 1;
    for (const token of tokens) {
      const next = new Uint8Array(n + 1);
      let any = false;
      if (token === 'globstar') {
        const from = reach.indexOf(1);
        if (from >= 0) next.fill(1, from);
        any = from >= 0;
      } else if (token === 'star') {
        // From each reachable position, every position up to the next '/'.
        let open = false;
        for (let i = 0; i <= n; i++) {
          if (reach[i]) open = true;
          if (open) {
            next[i] = 1;
            any = true;
          }
          if (path.charCodeAt(i) === 0x2f) open = false;
        }
      } else {
        const { literal } = token;
        for (let i = 0; i + literal.length <= n; i++) {
          if (reach[i] && path.startsWith(literal, i)) {
            next[i + literal.length] = 1;
            any = true;
          }
        }
      }
      if (!any) return false;
      reach = next;
    }
    return reach[n] === 1;
  };
}

export interface RequestMatcher {
  method?: string;
  path?: string;
}

/** A matcher compiled once, for use on many requests; throws a RangeError on a glob too long. */
export function requestMatcher(matcher: RequestMatcher): (method: string, path: string) => boolean {
  const method = matcher.method?.toUpperCase();
  const path = matcher.path === undefined ? undefined : globMatcher(matcher.path);
  return (m, p) => (!method || method === m.toUpperCase()) && (path === undefined || path(p));
}

export function matches(matcher: RequestMatcher, method: string, path: string): boolean {
  return requestMatcher(matcher)(method, path);
}
