/** A path glob: `*` matches within one segment, `**` across segments; anything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const pattern = glob
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`);
}

export interface RequestMatcher {
  method?: string;
  path?: string;
}

export function matches(matcher: RequestMatcher, method: string, path: string): boolean {
  if (matcher.method && matcher.method.toUpperCase() !== method.toUpperCase()) return false;
  return matcher.path === undefined || globToRegExp(matcher.path).test(path);
}
